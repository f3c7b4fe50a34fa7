package dev.rerank4j.eval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class EvalCommandTest {

    @TempDir
    Path out;

    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    private int execute(String... args) {
        var cli = EvalCommand.commandLine();
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));
        return cli.execute(args);
    }

    @Test
    void run_writes_summary_json_in_the_contract_shape_a_report_and_a_plot() throws IOException {
        int code = execute("run", "--data", Fixtures.tinyBeir().toString(), "--split", "test",
                "--pipelines", "dense,ce@2", "--ce-model", Fixtures.tinyCrossEncoder().toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();

        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("dataset").asText()).isEqualTo("tiny");
        assertThat(summary.get("split").asText()).isEqualTo("test");
        assertThat(summary.get("queries").asInt()).isEqualTo(3);
        for (String name : new String[]{"dense", "ce@2"}) {
            JsonNode p = summary.get("pipelines").get(name);
            assertThat(p).as(name).isNotNull();
            for (String key : new String[]{"ndcg@10", "mrr@10", "recall@100", "p@5", "answer_recall@8", "queries_per_s"}) {
                assertThat(p.get(key)).as(name + " " + key).isNotNull();
                assertThat(p.get(key).isNumber()).as(name + " " + key).isTrue();
            }
            for (String key : new String[]{"p50", "p95", "p99"}) {
                assertThat(p.get("latency_ms").get(key).isNumber()).isTrue();
            }
            assertThat(p.get("exact_match").isNull()).isTrue();
        }
        assertThat(summary.get("pipelines").get("dense").get("ndcg@10").asDouble()).isBetween(0.75, 0.76);
        assertThat(summary.get("machine").get("cores").asInt()).isPositive();
        assertThat(summary.get("machine").get("jvm").asText()).isNotBlank();

        assertThat(Files.readString(out.resolve("report.md"))).contains("| dense |", "| ce@2 |", "nDCG@10",
                "quality_vs_throughput.png");
        BufferedImage plot = ImageIO.read(out.resolve("quality_vs_throughput.png").toFile());
        assertThat(plot.getWidth()).isEqualTo(800);
        assertThat(stdout.toString()).contains("summary.json");
    }

    @Test
    void run_reranks_with_a_decoder_llm_reranker_given_as_ce_model() throws IOException {
        Path decoder = TestModels.decoderFixture("tiny-qwen3-reranker-seq-cls");
        int code = execute("run", "--data", Fixtures.tinyBeir().toString(), "--split", "test",
                "--pipelines", "dense,ce@3", "--ce-model", decoder.toString(), "--ce-instruction",
                "Given a question, retrieve passages that answer it", "--candidates",
                Fixtures.tinyCandidates().toString(), "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode ce = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("pipelines").get("ce@3");
        assertThat(ce.get("ndcg@10").isNumber()).isTrue();
        assertThat(ce.get("queries_per_s").asDouble()).isPositive();
    }

    @Test
    void sweep_plots_ndcg_and_p95_latency_against_depth() throws IOException {
        int code = execute("sweep", "--data", Fixtures.tinyBeir().toString(), "--split", "test", "--depths", "1,2",
                "--ce-model", Fixtures.tinyCrossEncoder().toString(), "--candidates",
                Fixtures.tinyCandidates().toString(), "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("pipelines").fieldNames()).toIterable().containsExactly("dense", "ce@1", "ce@2");
        assertThat(ImageIO.read(out.resolve("ndcg_vs_depth.png").toFile())).isNotNull();
        assertThat(ImageIO.read(out.resolve("p95_latency_vs_depth.png").toFile())).isNotNull();
    }

    @Test
    void run_with_cache_reports_a_cold_and_a_warm_pass() throws IOException {
        int code = execute("run", "--data", Fixtures.tinyBeir().toString(), "--split", "test",
                "--pipelines", "ce@2,ce-sla@1000", "--cache", "--ce-model", Fixtures.tinyCrossEncoder().toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode pipelines = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("pipelines");
        assertThat(pipelines.fieldNames()).toIterable()
                .containsExactly("ce@2", "ce-sla@1000", "ce@2 warm", "ce-sla@1000 warm");
        assertThat(pipelines.get("ce@2").get("cache").asText()).isEqualTo("cold");
        assertThat(pipelines.get("ce@2 warm").get("cache_hits_per_query").asDouble())
                .isEqualTo(pipelines.get("ce@2 warm").get("mean_depth").asDouble());
        assertThat(pipelines.get("ce@2 warm").get("ndcg@10").asDouble())
                .isEqualTo(pipelines.get("ce@2").get("ndcg@10").asDouble());
        assertThat(pipelines.get("ce-sla@1000").get("details").get("budget_ms").asInt()).isEqualTo(1000);
    }

    @Test
    void bench_cascade_reports_cold_and_warm_cache_and_the_adaptive_depths() throws IOException {
        int code = execute("bench-cascade", "--data", Fixtures.tinyBeir().toString(), "--model",
                Fixtures.tinyCrossEncoder().toString(), "--candidates", Fixtures.tinyCandidates().toString(),
                "--depth", "3", "--min-depth", "1", "--budget-ms", "2000", "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        String report = Files.readString(out.resolve("cascade.md"));
        assertThat(report).contains("| cold |", "| warm |", "Adaptive depth 1-3, budget 2000 ms", "depths chosen");
        JsonNode pipelines = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("pipelines");
        assertThat(pipelines.fieldNames()).toIterable().containsExactly("ce@3", "ce-sla@2000", "ce@3 warm");
        // lists of 4, 2, 2, 1 candidates: depth min(3, n); warm, every one of them is a cache hit
        assertThat(pipelines.get("ce@3").get("mean_depth").asDouble()).isEqualTo(8 / 4.0);
        assertThat(pipelines.get("ce@3 warm").get("cache_hits_per_query").asDouble()).isEqualTo(8 / 4.0);
        assertThat(pipelines.get("ce@3").get("cache_hits_per_query").asDouble()).isZero();
    }

    @Test
    void bench_colbert_compares_index_encodings_with_query_time_encoding() throws IOException {
        int code = execute("bench-colbert", "--data", Fixtures.tinyBeir().toString(), "--colbert-model",
                Fixtures.tinyColbert().toString(), "--ce-model", Fixtures.tinyCrossEncoder().toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--ce-depth", "2", "--exact-queries", "2",
                "--work-dir", out.resolve("work").toString(), "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode figures = new ObjectMapper().readTree(out.resolve("colbert.json").toFile());
        assertThat(figures.get("documents_indexed").asInt()).as("d2 d1 d5 d3 d4 d6").isEqualTo(6);
        assertThat(figures.get("build_docs_per_s").asDouble()).isPositive();
        assertThat(figures.get("int8_bytes_per_doc").asDouble())
                .isLessThan(figures.get("float16_bytes_per_doc").asDouble());
        assertThat(figures.get("float16_max_abs_score_change").asDouble()).isLessThan(0.01);
        assertThat(figures.get("int8_max_abs_score_change").asDouble())
                .isGreaterThanOrEqualTo(figures.get("float16_mean_abs_score_change").asDouble());
        JsonNode pipelines = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("pipelines");
        assertThat(pipelines.fieldNames()).toIterable().containsExactly("dense", "colbert", "colbert-int8", "ce@2");
        assertThat(Files.readString(out.resolve("colbert.md"))).contains("| colbert |", "bytes");

        assertThat(figures.get("encoder").asText()).as("ColBERT's default").doesNotContain("attention");

        // a second run reuses the index files, here with the encoder's attention fused (opt-in for ColBERT)
        assertThat(execute("bench-colbert", "--data", Fixtures.tinyBeir().toString(), "--colbert-model",
                Fixtures.tinyColbert().toString(), "--candidates", Fixtures.tinyCandidates().toString(), "--skip-ce",
                "--reuse-index", "--colbert-attention-fusion", "--work-dir", out.resolve("work").toString(),
                "--out", out.resolve("again").toString(), "--no-progress")).as(stderr.toString()).isZero();
        JsonNode again = new ObjectMapper().readTree(out.resolve("again/colbert.json").toFile());
        assertThat(again.get("build_seconds").isNull()).isTrue();
        assertThat(again.get("encoder").asText()).contains("attention fused for unpadded batches");
        assertThat(again.get("float16_max_abs_score_change").asDouble()).isLessThan(0.01);
    }

    @Test
    void bench_residual_evaluates_the_codec_against_the_float16_index() throws IOException {
        int code = execute("bench-residual", "--data", Fixtures.tinyBeir().toString(), "--colbert-model",
                Fixtures.tinyColbert().toString(), "--candidates", Fixtures.tinyCandidates().toString(),
                "--centroids", "2", "--bits", "8", "--sample", "64", "--work-dir", out.resolve("work").toString(),
                "--out", out.toString(), "--no-progress");
        assertThat(code).as(stderr.toString()).isZero();
        JsonNode figures = new ObjectMapper().readTree(out.resolve("residual.json").toFile());
        assertThat(figures.get("bytes_per_vector").asInt()).isLessThan(figures.get("float16_bytes_per_vector").asInt());
        assertThat(figures.get("max_abs_score_change").asDouble()).isLessThan(0.5);
        JsonNode pipelines = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("pipelines");
        assertThat(pipelines.fieldNames()).toIterable().containsExactly("colbert", "colbert-residual-2x8");
        assertThat(Files.readString(out.resolve("residual.md"))).contains("| 2 | 8 |");
    }

    @Test
    void malformed_input_exits_with_an_error_naming_file_and_line() throws IOException {
        Path data = out.resolve("bad");
        Files.createDirectories(data.resolve("qrels"));
        Files.writeString(data.resolve("corpus.jsonl"), "{\"_id\": \"d1\", \"text\": \"ok\"}\nnot json\n");
        Files.writeString(data.resolve("queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"x\"}\n");
        Files.writeString(data.resolve("qrels/test.tsv"), "q1\td1\t1\n");
        int code = execute("run", "--data", data.toString(), "--split", "test", "--pipelines", "dense",
                "--out", out.resolve("o").toString(), "--no-progress");
        assertThat(code).isNotZero();
        assertThat(stderr.toString()).contains(data.resolve("corpus.jsonl") + ":2: invalid JSON");
    }

    @Test
    void an_unknown_pipeline_is_a_usage_error_naming_it() {
        int code = execute("run", "--data", Fixtures.tinyBeir().toString(), "--split", "test", "--pipelines",
                "bm25", "--out", out.toString(), "--no-progress");
        assertThat(code).isNotZero();
        assertThat(stderr.toString()).contains("bm25");
    }

    @Test
    void top_level_command_lists_its_subcommands() {
        assertThat(execute("--help")).isZero();
        assertThat(stdout.toString()).contains("run", "sweep", "bench-ce", "bench-cascade", "bench-colbert",
                "bench-residual");
    }
}
