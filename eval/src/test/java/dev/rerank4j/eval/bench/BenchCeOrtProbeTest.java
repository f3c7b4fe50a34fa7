package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** bench-ce --ort-threading: plain ONNX Runtime sessions on the scorer's batches, and the scorer set beside them. */
class BenchCeOrtProbeTest {

    @Test
    void reports_the_scorer_against_plain_sessions_pass_by_pass(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");

        int code = TinyBenchCe.run(out, "--repeats", "2", "--ort-threading");

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
