package dev.rerank4j.eval.bench;

import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.CascadePipeline;
import dev.rerank4j.eval.pipeline.RerankPipeline;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.eval.report.MarkdownReport;
import dev.rerank4j.eval.report.SummaryJson;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.Evaluator;
import dev.rerank4j.eval.run.PipelineResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench-cascade}: rerank latency of {@code CascadeContentAggregator} on judged queries with their first-stage
 * candidates (the reference lists by default), through the eval harness: a fixed depth behind a
 * {@code CachingScoringModel} (a cold pass, then the same queries warm), then an {@code AdaptiveDepthPolicy} under
 * a latency budget (deadline = budget, fail-open, no cache): depths chosen, fallbacks, learned cost.
 */
@Command(name = "bench-cascade", mixinStandardHelpOptions = true,
        description = "Cascade latency: fixed depth with a cold and a warm score cache, adaptive depth under a budget.")
public final class BenchCascadeCommand implements Callable<Integer> {

    @Mixin
    BenchOptions io;

    @Option(names = "--model", description = "cross-encoder model directory (default: ../shared/models/minilm-l6-ce)")
    Path model;

    @Option(names = "--onnx-file", description = "ONNX file inside the model directory, e.g. onnx/model_qint8.onnx")
    String onnxFile;

    @Option(names = "--queries", defaultValue = "20",
            description = "judged queries, every k-th in qrels order (0 = all; default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--depth", defaultValue = "30",
            description = "candidates per query: the fixed rerank depth and the adaptive maximum (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--min-depth", defaultValue = "8", description = "adaptive minimum depth (default: ${DEFAULT-VALUE})")
    int minDepth;

    @Option(names = "--budget-ms", defaultValue = "200", description = "adaptive latency budget (default: ${DEFAULT-VALUE})")
    int budgetMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (depth < 1 || minDepth < 1 || minDepth > depth) {
            throw new IllegalArgumentException("need 1 <= --min-depth <= --depth, got " + minDepth + " and " + depth);
        }
        BeirDataset dataset = BeirDataset.load(io.data, io.split);
        Path candidatesFile = io.candidatesFile();
        Path modelDir = BenchInputs.model(model, "minilm-l6-ce", "--model");
        try (CrossEncoderScoringModel crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(modelDir)
                .onnxFile(onnxFile).intraOpThreads(io.threads).build()) {
            List<RerankPipeline> pipelines = List.of(
                    CascadePipeline.fixedDepth(crossEncoder, dataset.corpus(), depth, depth, true),
                    CascadePipeline.latencyBudget(crossEncoder, dataset.corpus(), budgetMs, minDepth, depth, depth,
                            false));
            EvalResult result = Evaluator.builder().dataset(dataset)
                    .firstStage(new CandidateFileFirstStage(candidatesFile, depth)).pipelines(pipelines)
                    .maxQueries(queries).showProgress(!io.noProgress).build().run();
            Map<String, Object> machine = MachineInfo.describe();
            SummaryJson.write(io.out.resolve("summary.json"), result, machine);
            String report = render(result, crossEncoder, candidatesFile, machine);
            MarkdownReport.write(io.out.resolve("cascade.md"), report);
            spec.commandLine().getOut().print(report);
            spec.commandLine().getOut().println("wrote " + io.out.resolve("cascade.md") + " and summary.json");
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private String render(EvalResult result, CrossEncoderScoringModel crossEncoder, Path candidatesFile,
                          Map<String, Object> machine) {
        PipelineResult cold = result.pipeline("ce@" + depth);
        PipelineResult warm = result.pipeline("ce@" + depth + " warm");
        PipelineResult adaptive = result.pipeline("ce-sla@" + budgetMs);
        StringBuilder md = new StringBuilder();
        md.append("# Cascade benchmark\n\n```\nrerank4j-eval ")
                .append(String.join(" ", spec.commandLine().getParseResult().originalArgs())).append("\n```\n\n");
        md.append(String.format(Locale.ROOT, "- data: %s (%s), %d judged queries (every k-th), top %d candidates of %s%n"
                        + "- model: %s (%s), max length %d%n- machine: %s%n%n", result.dataset(), result.split(),
                result.queriesRun(), depth, candidatesFile, crossEncoder.source(), crossEncoder.engineDescription(),
                crossEncoder.maxLength(), machine));
        md.append("## Fixed depth ").append(depth).append(", no deadline, CachingScoringModel\n\n")
                .append("| cache | p50 ms | p95 ms | p99 ms | mean ms | pairs/s | batches/query | cache hits/query | nDCG@10 |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n")
                .append(row("cold", cold)).append(row("warm", warm)).append('\n');
        int fellBack = adaptive.fallbackCount();
        Object learned = adaptive.details().get("learned_ns_per_token");
        md.append(String.format(Locale.ROOT, "## Adaptive depth %d-%d, budget %d ms (deadline = budget, fail-open, "
                        + "no cache)%n%n- latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n"
                        + "- depths chosen (depth=queries): %s%n- fallbacks: %d of %d (%.1f%%) %s%n"
                        + "- learned cost: %s ns per (query, passage) token%n- nDCG@10 %.4f (fixed depth %d: %.4f)%n",
                minDepth, depth, budgetMs, adaptive.latency().p50(), adaptive.latency().p95(),
                adaptive.latency().p99(), adaptive.depths(), fellBack, adaptive.latency().count(),
                100.0 * fellBack / Math.max(1, adaptive.latency().count()), adaptive.fallbacks(),
                learned instanceof Double d ? String.format(Locale.ROOT, "%.0f", d) : "n/a", adaptive.ndcg10(),
                depth, cold.ndcg10()));
        return md.toString();
    }

    private static String row(String label, PipelineResult p) {
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %.4f |%n", label,
                p.latency().p50(), p.latency().p95(), p.latency().p99(), p.latency().mean(),
                p.pairsPerSecond() == null ? "–" : String.format(Locale.ROOT, "%.1f", p.pairsPerSecond()),
                p.batchesPerQuery() == null ? "0.00" : String.format(Locale.ROOT, "%.2f", p.batchesPerQuery()),
                p.cacheHitsPerQuery() == null ? "–" : String.format(Locale.ROOT, "%.1f", p.cacheHitsPerQuery()),
                p.ndcg10());
    }
}
