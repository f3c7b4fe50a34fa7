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

/** bench-ce's {@code rerank4j-onnx@FILE} scorers: another ONNX file of the model directory, run beside the default. */
class BenchCeOnnxFileVariantTest {

    @Test
    void runs_another_onnx_file_beside_the_default_and_skips_a_missing_one(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), model);
        Files.copy(model.resolve("onnx/model.onnx"), model.resolve("onnx/model_copy.onnx"));
        Path out = dir.resolve("out");

        int code = new CommandLine(new BenchCeCommand()).execute("--data", Fixtures.tinyBeir().toString(),
                "--split", "test", "--model", model.toString(), "--candidates", Fixtures.tinyCandidates().toString(),
                "--depth", "3", "--queries", "2", "--warmup", "0", "--concurrency", "1", "--gemm-repetitions", "1",
                "--scorers", "rerank4j-onnx,rerank4j-onnx@onnx/model_copy.onnx,rerank4j-onnx@onnx/missing.onnx",
                "--out", out.toString());

        assertThat(code).isZero();
        JsonNode bench = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        assertThat(bench.get("rerank4j-onnx@onnx/model_copy.onnx").get("max_abs_score_diff_vs_rerank4j-onnx").asDouble())
                .as("the same graph from another file scores the same").isZero();
        assertThat(bench.at("/onnx_file_variants_vs_onnx/rerank4j-onnx@onnx~1model_copy.onnx/1/speedup").asDouble())
                .isPositive();
        assertThat(bench.get("rerank4j-onnx@onnx/missing.onnx").get("skipped").asText()).contains("no onnx/missing.onnx");
        assertThat(Files.readString(out.resolve("bench.md"))).contains("rerank4j-onnx@onnx/model_copy.onnx vs rerank4j-onnx");

        // which runtime and file each figure came from, and on which CPU
        assertThat(bench.get("rerank4j-onnx").get("engine").asText()).contains("onnxruntime 1.").contains("model.onnx")
                .doesNotContain("model_copy.onnx");
        assertThat(bench.get("rerank4j-onnx@onnx/model_copy.onnx").get("engine").asText()).contains("model_copy.onnx");
        assertThat(bench.get("machine").get("cpu_id").asText()).isNotBlank();
        assertThat(Files.readString(out.resolve("bench.md")))
                .contains("- `rerank4j-onnx`: " + bench.get("rerank4j-onnx").get("engine").asText());
    }
}
