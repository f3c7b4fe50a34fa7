package dev.rerank4j.eval.report;

import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.PipelineResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code report.md}: the run's tables (quality, answers, cost) and the machine. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(EvalResult result, Map<String, Object> machine, String command, List<String> plots) {
        StringBuilder md = new StringBuilder();
        md.append("# rerank4j eval: ").append(result.dataset()).append(" (").append(result.split()).append(")\n\n");
        if (command != null) {
            md.append("```\n").append(command).append("\n```\n\n");
        }
        md.append(String.format(Locale.ROOT, "%d queries run, %d with a relevant document (ranking metrics). "
                + "First stage: %s (%.1f ms/query).%n%n", result.queriesRun(), result.queriesEvaluated(),
                result.firstStage(), result.firstStageMsMean()));
        md.append("| pipeline | nDCG@10 | MRR@10 | Recall@100 | P@5 | answer recall@8 |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (PipelineResult p : result.pipelines()) {
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %s |%n", p.name(), p.ndcg10(),
                    p.mrr10(), p.recall100(), p.p5(), fmt(p.answerRecall8())));
        }
        md.append("\n| pipeline | p50 ms | p95 ms | p99 ms | queries/s | pairs/s | mean depth | cache hits/query "
                + "| fallbacks |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (PipelineResult p : result.pipelines()) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f | %s | %.1f | %s | %s |%n", p.name(),
                    p.latency().p50(), p.latency().p95(), p.latency().p99(), p.queriesPerSecond(),
                    p.pairsPerSecond() == null ? "–" : String.format(Locale.ROOT, "%.1f", p.pairsPerSecond()),
                    p.meanDepth(), p.cacheHitsPerQuery() == null ? "–"
                            : String.format(Locale.ROOT, "%.1f", p.cacheHitsPerQuery()),
                    p.fallbacks().isEmpty() ? "–" : p.fallbackCount() + " " + p.fallbacks()));
        }
        for (PipelineResult p : result.pipelines()) {
            if (!p.details().isEmpty()) { // an adaptive pipeline: what it chose and learned
                md.append("\n`").append(p.name()).append("`: depths chosen (depth=queries) ").append(p.depths());
                p.details().forEach((key, value) -> md.append("; ").append(key).append(' ').append(
                        value instanceof Double d ? String.format(Locale.ROOT, "%.0f", d) : String.valueOf(value)));
                md.append('\n');
            }
        }
        boolean generation = result.pipelines().stream().anyMatch(p -> p.exactMatch() != null);
        if (generation) {
            md.append("\nGenerated answers (").append(result.chatModel()).append(", top 8 passages):\n\n");
            md.append("| pipeline | exact match | token F1 | unanswerable declined |\n|---|---|---|---|\n");
            for (PipelineResult p : result.pipelines()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", p.name(), fmt(p.exactMatch()),
                        fmt(p.tokenF1()), fmt(p.declinedUnanswerable())));
            }
        }
        if (result.note() != null) {
            md.append("\nNote: ").append(result.note()).append("\n");
        }
        md.append("\nModels: ");
        for (PipelineResult p : result.pipelines()) {
            md.append("`").append(p.name()).append("` ").append(p.modelId() == null ? "–" : p.modelId());
            if (p.engine() != null) {
                md.append(" (").append(p.engine()).append(")");
            }
            md.append("; ");
        }
        md.append("\n\nMachine: ").append(machine).append("\n");
        for (String plot : plots) {
            md.append("\n![").append(plot).append("](").append(plot).append(")\n");
        }
        return md.toString();
    }

    public static void write(Path file, String markdown) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String fmt(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.4f", value);
    }
}
