package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** bench-ce --sla-budget-ms: the cascade under concurrent requests, adaptive depth against a fixed one. */
class BenchCeSlaTest {

    @Test
    void reports_both_depth_policies_with_the_minimum_depth_it_was_given(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");

        int code = TinyBenchCe.run(out, "--sla-budget-ms", "2000", "--sla-concurrency", "2", "--sla-requests", "6",
                "--sla-min-depth", "0");

        assertThat(code).isZero();
        JsonNode sla = new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("sla");
        assertThat(sla.get("min_depth").asInt()).isZero();
        assertThat(sla.get("concurrency").asInt()).isEqualTo(2);
        for (String policy : new String[] {"adaptive", "fixed_depth_3"}) {
            JsonNode row = sla.get(policy);
            assertThat(row.get("requests").asInt()).as(policy).isEqualTo(6);
            int counted = 0;
            for (JsonNode requests : row.get("depths")) {
                counted += requests.asInt();
            }
            assertThat(counted).as("%s: every request's depth", policy).isEqualTo(6);
        }
        assertThat(sla.get("fixed_depth_3").get("depths").fieldNames()).toIterable()
                .as("a fixed depth of 3, or every candidate of a shorter list").allMatch(d -> Integer.parseInt(d) <= 3);
        assertThat(Files.readString(out.resolve("bench.md"))).contains("adaptive depth at least 0");
    }

    @Test
    void default_floor_is_the_policys_or_the_depth_when_that_is_less(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");

        int code = TinyBenchCe.run(out, "--sla-budget-ms", "2000", "--sla-concurrency", "2", "--sla-requests", "2");

        assertThat(code).isZero();
        assertThat(new ObjectMapper().readTree(out.resolve("bench.json").toFile()).at("/sla/min_depth").asInt())
                .as("--depth 3 is below the policy's default of 8").isEqualTo(3);
    }

    @Test
    void floor_above_the_depth_is_refused_naming_the_option(@TempDir Path dir) {
        java.io.StringWriter err = new java.io.StringWriter();

        int code = TinyBenchCe.run(dir.resolve("out"), new java.io.PrintWriter(err), "--sla-budget-ms", "2000",
                "--sla-min-depth", "4");

        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--sla-min-depth must be between 0 and --depth (3), was 4");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
