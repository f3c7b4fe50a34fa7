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
        assertThat(stdout.toString()).contains("run", "sweep");
    }
}
