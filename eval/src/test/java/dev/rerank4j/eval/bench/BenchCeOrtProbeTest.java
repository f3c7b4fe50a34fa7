package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** bench-ce --ort-threading: plain ONNX Runtime sessions on the scorer's batches, and the scorer set beside them. */
class BenchCeOrtProbeTest {

    @Test
    void reports_the_scorer_against_plain_sessions_pass_by_pass(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");

        int code = new CommandLine(new BenchCeCommand()).execute("--data", Fixtures.tinyBeir().toString(),
                "--split", "test", "--model", TestModels.resourceModel("tiny-ce").toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--depth", "3", "--queries", "2",
                "--warmup", "0", "--concurrency", "1", "--repeats", "2", "--gemm-repetitions", "1",
                "--scorers", "rerank4j-onnx", "--ort-threading", "--out", out.toString());

        assertThat(code).isZero();
        JsonNode plain = new ObjectMapper().readTree(out.resolve("bench.json").toFile()).get("scorer_vs_plain_sessions");
        assertThat(plain.get("scorer_pairs_per_s")).hasSize(2).allSatisfy(rate -> assertThat(rate.asDouble()).isPositive());
        assertThat(plain.get("plain_sessions_pairs_per_s")).hasSize(2).allSatisfy(rate -> assertThat(rate.asDouble()).isPositive());
        for (int r = 0; r < 2; r++) {
            assertThat(plain.get("ratio_by_repeat").get(r).asDouble()).isCloseTo(plain.get("scorer_pairs_per_s").get(r).asDouble()
                    / plain.get("plain_sessions_pairs_per_s").get(r).asDouble(), org.assertj.core.data.Offset.offset(0.002));
        }
        assertThat(Files.readString(out.resolve("bench.md"))).contains("vs plain ONNX Runtime sessions running its batches");
    }
}
