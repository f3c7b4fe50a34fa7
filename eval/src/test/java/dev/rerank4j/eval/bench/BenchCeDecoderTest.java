package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** bench-ce on a decoder LLM reranker (the tiny causal-LM Qwen3 fixture): runs, reports, skips what does not apply. */
class BenchCeDecoderTest {

    @Test
    void measures_a_causal_lm_reranker_with_and_without_the_graph_cut(@TempDir Path out) throws Exception {
        int code = new CommandLine(new BenchCeCommand()).execute("--data", Fixtures.tinyBeir().toString(),
                "--split", "test", "--model", TestModels.decoderFixture("tiny-qwen3-reranker-causal").toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--depth", "3", "--queries", "2",
                "--warmup", "0", "--concurrency", "1", "--scorers",
                "rerank4j-onnx,rerank4j-onnx-uncut,lc4j-onnx-scoring", "--out", out.toString());
        assertThat(code).isZero();

        JsonNode bench = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        JsonNode cut = bench.get("rerank4j-onnx");
        assertThat(cut.get("pairs_per_s").asDouble()).isPositive();
        assertThat(cut.get("tokens_per_s").asDouble()).isPositive();
        assertThat(cut.get("model_gflops_per_s").asDouble()).isPositive();
        assertThat(bench.get("rerank4j-onnx-uncut").get("max_abs_score_diff_vs_rerank4j-onnx").asDouble())
                .isLessThan(1e-4);
        assertThat(bench.get("lc4j-onnx-scoring").get("skipped").asText()).contains("decoder");
        // prompts include the template (~80 tokens), so real tokens far exceed the pairs' own words
        assertThat(bench.at("/workload/real_tokens").asLong()).isGreaterThan(6 * 60);
    }
}
