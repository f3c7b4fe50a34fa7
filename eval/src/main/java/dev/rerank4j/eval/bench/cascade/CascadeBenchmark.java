package dev.rerank4j.eval.bench.cascade;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rerank latency of the cascade on BEIR test queries with their dense candidates (the reference first-stage
 * lists): p50/p95/p99 and pairs/s with a cold and a warm score cache, then under a latency budget with adaptive
 * depth (p99, depths chosen, share of fallbacks).
 *
 * <pre>
 * java -cp ... dev.rerank4j.crossencoder.rag.bench.CascadeBenchmark --data ../shared/data/scifact \
 *      --model ../shared/models/minilm-l6-ce --out target/cascade-benchmark.md [--queries 20] [--depth 30] \
 *      [--budget-ms 200] [--candidates ../shared/models/candidates/scifact-test.tsv] [--threads 0] \
 *      [--onnx-file onnx/model_qint8.onnx]
 * </pre>
 */
public final class CascadeBenchmark {

    private CascadeBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        Path data = Path.of(require(options, "--data"));
        Path model = Path.of(require(options, "--model"));
        Path out = Path.of(options.getOrDefault("--out", "cascade-benchmark.md"));
        int queries = Integer.parseInt(options.getOrDefault("--queries", "20"));
        int depth = Integer.parseInt(options.getOrDefault("--depth", "30"));
        int budgetMs = Integer.parseInt(options.getOrDefault("--budget-ms", "200"));
        int threads = Integer.parseInt(options.getOrDefault("--threads", "0"));
        String split = options.getOrDefault("--split", "test");
        String onnxFile = options.get("--onnx-file");
        Path candidatesFile = Path.of(options.getOrDefault("--candidates",
                model.resolveSibling("candidates").resolve(data.getFileName() + "-" + split + ".tsv").toString()));

        String report = run(data, model, onnxFile, candidatesFile, split, queries, depth,
                Duration.ofMillis(budgetMs), threads);
        System.out.print(report);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, report);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    static String run(Path data, Path model, String onnxFile, Path candidatesFile, String split, int queryCount,
                      int depth, Duration budget, int threads) {
        BeirSet set = BeirSet.load(data);
        Map<String, Map<String, Integer>> qrels = BeirSet.qrels(data.resolve("qrels/" + split + ".tsv"));
        Map<String, List<String>> candidates = BeirSet.candidates(candidatesFile);
        List<String> queryIds = qrels.keySet().stream().filter(candidates::containsKey).limit(queryCount).toList();
        List<List<Content>> firstStage = new ArrayList<>();
        for (String q : queryIds) {
            List<Content> contents = new ArrayList<>();
            List<String> ids = candidates.get(q);
            for (int rank = 0; rank < Math.min(depth, ids.size()); rank++) {
                BeirSet.Doc doc = set.doc(ids.get(rank));
                contents.add(Content.from(TextSegment.from(doc.passage(), Metadata.from("id", doc.id())),
                        Map.of(ContentMetadata.SCORE, 1.0 - rank / 1000.0, ContentMetadata.EMBEDDING_ID, doc.id())));
            }
            firstStage.add(contents);
        }

        StringBuilder report = new StringBuilder();
        try (CrossEncoderScoringModel crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(model)
                .onnxFile(onnxFile).intraOpThreads(threads).build()) {
            report.append(String.format("# Cascade benchmark%n%n- data: %s (%s), %d queries, %d dense candidates each "
                            + "(%s)%n- model: %s (%s), max length %d%n- machine: %d available processors, Java %s%n%n",
                    data, split, queryIds.size(), depth, candidatesFile.getFileName(), model,
                    crossEncoder.engineDescription(), crossEncoder.maxLength(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));

            // Warm-up outside the measurement: class loading, ONNX Runtime session initialisation.
            crossEncoder.scoreAll(firstStage.get(0).subList(0, 2).stream().map(Content::textSegment).toList(), "warm up");

            CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
            List<RerankEvent> cold = new ArrayList<>();
            CascadeContentAggregator fixed = CascadeContentAggregator.builder().scoringModel(cache)
                    .rerankDepth(depth).maxResults(8).listener(cold::add).build();
            for (int i = 0; i < queryIds.size(); i++) {
                fixed.rerank(set.queries().get(queryIds.get(i)), firstStage.get(i));
            }
            List<RerankEvent> warm = new ArrayList<>();
            CascadeContentAggregator fixedWarm = CascadeContentAggregator.builder().scoringModel(cache)
                    .rerankDepth(depth).maxResults(8).listener(warm::add).build();
            for (int i = 0; i < queryIds.size(); i++) {
                fixedWarm.rerank(set.queries().get(queryIds.get(i)), firstStage.get(i));
            }
            report.append("## Fixed depth ").append(depth).append(", no deadline\n\n")
                    .append("| cache | p50 ms | p95 ms | p99 ms | mean ms | pairs/s | batches/query | cache hits/query |\n")
                    .append("|---|---|---|---|---|---|---|---|\n")
                    .append(row("cold", cold)).append(row("warm", warm)).append('\n');

            AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().latencyBudget(budget)
                    .tokenizer(crossEncoder.tokenizer()).maxDepth(depth).build();
            List<RerankEvent> adaptive = new ArrayList<>();
            CachingScoringModel freshCache = CachingScoringModel.builder().delegate(crossEncoder).build();
            CascadeContentAggregator sla = CascadeContentAggregator.builder().scoringModel(freshCache)
                    .depthPolicy(policy).maxResults(8).listener(adaptive::add).build();
            for (int i = 0; i < queryIds.size(); i++) {
                sla.rerank(set.queries().get(queryIds.get(i)), firstStage.get(i));
            }
            long[] latencies = adaptive.stream().mapToLong(RerankEvent::totalNanos).sorted().toArray();
            Map<Integer, Integer> depths = new TreeMap<>();
            Map<String, Integer> fallbacks = new TreeMap<>();
            for (RerankEvent event : adaptive) {
                depths.merge(event.depthChosen(), 1, Integer::sum);
                event.fallback().ifPresent(reason -> fallbacks.merge(reason.name(), 1, Integer::sum));
            }
            int fellBack = (int) adaptive.stream().filter(RerankEvent::fellBack).count();
            report.append(String.format("## Adaptive depth, budget %d ms (deadline = budget, fail-open, cold cache)%n%n"
                            + "- latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n"
                            + "- depths chosen (depth: requests): %s%n"
                            + "- fallbacks: %d of %d (%.1f%%) %s%n"
                            + "- learned cost: %s ns per (query, passage) token%n",
                    budget.toMillis(), pct(latencies, 50), pct(latencies, 95), pct(latencies, 99),
                    latencies[latencies.length - 1] / 1e6, depths, fellBack, adaptive.size(),
                    100.0 * fellBack / adaptive.size(), fallbacks,
                    policy.nanosPerToken().isPresent() ? String.format("%.0f", policy.nanosPerToken().getAsDouble()) : "n/a"));
        }
        return report.toString();
    }

    private static String row(String label, List<RerankEvent> events) {
        long[] latencies = events.stream().mapToLong(RerankEvent::totalNanos).sorted().toArray();
        double seconds = Arrays.stream(latencies).sum() / 1e9;
        long pairs = events.stream().mapToLong(RerankEvent::depthChosen).sum();
        return String.format("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.1f |%n", label, pct(latencies, 50),
                pct(latencies, 95), pct(latencies, 99), seconds * 1000 / latencies.length, pairs / seconds,
                events.stream().mapToInt(RerankEvent::batches).average().orElse(0),
                events.stream().mapToInt(RerankEvent::cacheHits).average().orElse(0));
    }

    /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    static double pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --name value pairs, got '" + args[i] + "'. Usage: "
                        + "--data DIR --model DIR [--out FILE] [--queries N] [--depth N] [--budget-ms N] "
                        + "[--candidates FILE] [--split test] [--threads N] [--onnx-file onnx/model_qint8.onnx]");
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
