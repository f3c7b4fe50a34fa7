package dev.rerank4j.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.PipelineResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code summary.json}: {@code {"dataset", "split", "queries", "pipelines": {name: {"ndcg@10", "mrr@10",
 * "recall@100", "p@5", "answer_recall@8", "latency_ms": {"p50", "p95", "p99"}, "queries_per_s", ...}}, "machine"}}.
 * Scripts and dashboards read it: keys are only ever added.
 */
public final class SummaryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    public static ObjectNode toJson(EvalResult result, Map<String, Object> machine) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("dataset", result.dataset());
        root.put("split", result.split());
        root.put("queries", result.queriesEvaluated());
        root.put("queries_run", result.queriesRun());
        root.put("first_stage", result.firstStage());
        root.put("first_stage_ms_mean", round(result.firstStageMsMean()));
        root.put("chat_model", result.chatModel());
        if (result.note() != null) {
            root.put("note", result.note());
        }
        ObjectNode pipelines = root.putObject("pipelines");
        for (PipelineResult p : result.pipelines()) {
            ObjectNode node = pipelines.putObject(p.name());
            node.put("ndcg@10", round(p.ndcg10()));
            node.put("mrr@10", round(p.mrr10()));
            node.put("recall@100", round(p.recall100()));
            node.put("p@5", round(p.p5()));
            putNullable(node, "answer_recall@8", p.answerRecall8());
            if (p.answerableQuestions() != null) {
                node.put("answerable_questions", p.answerableQuestions());
            }
            putNullable(node, "exact_match", p.exactMatch());
            putNullable(node, "token_f1", p.tokenF1());
            putNullable(node, "declined_unanswerable", p.declinedUnanswerable());
            ObjectNode latency = node.putObject("latency_ms");
            latency.put("p50", round(p.latency().p50()));
            latency.put("p95", round(p.latency().p95()));
            latency.put("p99", round(p.latency().p99()));
            latency.put("mean", round(p.latency().mean()));
            node.put("queries_per_s", round(p.queriesPerSecond()));
            putNullable(node, "pairs_per_s", p.pairsPerSecond());
            node.put("rerank_ms_mean", round(p.rerankMsMean()));
            node.put("mean_depth", round(p.meanDepth()));
            node.put("queries", p.queries());
            node.put("model", p.modelId());
            node.put("engine", p.engine());
            node.put("cache", p.cache());
            putNullable(node, "cache_hits_per_query", p.cacheHitsPerQuery());
            putNullable(node, "batches_per_query", p.batchesPerQuery());
            ObjectNode depths = node.putObject("depths");
            p.depths().forEach((depth, count) -> depths.put(Integer.toString(depth), count));
            ObjectNode fallbacks = node.putObject("fallbacks");
            p.fallbacks().forEach(fallbacks::put);
            node.set("details", MAPPER.valueToTree(p.details()));
        }
        root.set("machine", MAPPER.valueToTree(machine));
        return root;
    }

    public static void write(Path file, EvalResult result, Map<String, Object> machine) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            MAPPER.writeValue(file.toFile(), toJson(result, machine));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void putNullable(ObjectNode node, String key, Double value) {
        if (value == null) {
            node.putNull(key);
        } else {
            node.put(key, round(value));
        }
    }

    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }
}
