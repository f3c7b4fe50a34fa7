package dev.rerank4j.eval.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.eval.support.CliRun;
import dev.rerank4j.eval.support.Fixtures;
import dev.rerank4j.testkit.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The short soak CI runs (seconds) and a small fleet simulation, against a real redis-server and the tiny model. */
class SoakAndFleetCommandTest {

    @TempDir
    Path out;

    private final CliRun cli = new CliRun();

    private int execute(String... args) {
        return cli.execute(args);
    }

    @Test
    void a_short_soak_with_injected_faults_fails_no_request_and_returns_only_correct_results() throws Exception {
        RedisServerProcess.startOrSkip().close(); // skip visibly without redis-server; the command starts its own
        int code = execute("soak", "--model", Fixtures.tinyCrossEncoder().toString(), "--threads", "3",
                "--requests", "50", "--queries", "60", "--candidates", "12", "--max-results", "4",
                "--deadline-ms", "400", "--fail-rate", "0.2", "--stall-rate", "0.05", "--redis-cool-down-ms", "200",
                // seconds are too short to judge a native leak (ResourceSamplerTest covers the criterion; the
                // documented long run gives the verdict): here only that heap and RSS are sampled
                "--sample-ms", "50", "--rss-growth-limit-mb", "4096", "--out", out.toString());
        JsonNode report = new ObjectMapper().readTree(out.resolve("soak.json").toFile());
        assertThat(code).as(cli.out() + "\n" + cli.err() + "\n" + report.get("problems")).isZero();
        assertThat(report.get("requests").asInt()).isEqualTo(150);
        assertThat(report.get("failed_requests").asLong()).isZero();
        assertThat(report.get("wrong_results").asLong()).isZero();
        long fallbacks = 0;
        for (String reason : new String[]{"deadline_exceeded", "deadline_partial", "scoring_failed", "interrupted", "cancelled"}) {
            fallbacks += report.get("outcomes").get(reason).asLong();
        }
        assertThat(fallbacks).as("the injected faults reached requests, which failed open").isPositive();
        assertThat(report.get("outcomes").get("reranked").asLong()).isPositive();
        assertThat(report.get("injected").get("redis_killed_and_restarted").asBoolean()).isTrue();
        assertThat(report.get("cache").get("l2_read_errors").asLong() + report.get("cache").get("l2_write_errors").asLong()
                + report.get("cache").get("l2_skipped_by_breaker").asLong()).as("the outage was seen").isPositive();
        assertThat(report.get("memory").get("samples").asInt()).isGreaterThan(3);
        assertThat(report.get("memory").get("rss_peak_mb").asDouble()).as("VmRSS read").isPositive();
        assertThat(cli.out()).contains("| failed requests / wrong results | 0 / 0 |");
    }

    @Test
    void the_fleet_with_a_shared_cache_computes_each_pair_once_whatever_its_size() throws Exception {
        RedisServerProcess.startOrSkip().close();
        int code = execute("fleet", "--model", Fixtures.tinyCrossEncoder().toString(), "--replicas", "1,2,4",
                "--requests", "300", "--queries", "80", "--candidates", "6", "--out", out.toString());
        assertThat(code).as(cli.err()).isZero();
        Map<String, Long> pairs = new HashMap<>();
        for (JsonNode row : new ObjectMapper().readTree(out.resolve("fleet.json").toFile()).get("rows")) {
            pairs.put(row.get("replicas").asInt() + (row.get("shared_l2").asBoolean() ? "+l2" : ""),
                    row.get("computed_pairs").asLong());
        }
        assertThat(pairs.get("2")).as("without L2, replicas recompute").isGreaterThan(pairs.get("1"));
        assertThat(pairs.get("4")).isGreaterThan(pairs.get("2"));
        assertThat(pairs.get("2+l2")).as("with L2, every pair once").isEqualTo(pairs.get("1"));
        assertThat(pairs.get("4+l2")).isEqualTo(pairs.get("1")).isEqualTo(pairs.get("1+l2"));
        assertThat(cli.out()).contains("| replicas | shared Redis L2 |");
    }

    @Test
    void a_missing_model_is_an_error_naming_the_option() {
        assertThat(execute("soak", "--model", out.resolve("nope").toString(), "--out", out.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--model");
    }
}
