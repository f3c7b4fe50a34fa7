package dev.rerank4j.eval.bench;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.DepthPolicy;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.metrics.Latencies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The cascade under concurrent load: {@link CascadeContentAggregator} with an {@link AdaptiveDepthPolicy} at a latency
 * budget (deadline = budget, fail-open), several requests at once against one scorer. Reports latency percentiles,
 * the depths chosen and the fallbacks; a fixed depth under the same load for comparison.
 */
final class SlaUnderLoad {

    private SlaUnderLoad() {
    }

    static Map<String, Object> measure(CrossEncoderScoringModel scorer, RerankWorkload workload, Duration budget,
                                       int concurrency, int requests, int warmup, int maxDepth, int minDepth)
            throws Exception {
        List<List<Content>> candidates = new ArrayList<>();
        for (RerankWorkload.Request request : workload.requests()) {
            List<Content> contents = new ArrayList<>();
            for (int rank = 0; rank < request.passages().size(); rank++) {
                contents.add(Content.from(TextSegment.from(request.passages().get(rank), Metadata.from("rank", Integer.toString(rank))),
                        Map.of(ContentMetadata.SCORE, 1.0 - rank / 1000.0)));
            }
            candidates.add(contents);
        }
        AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().latencyBudget(budget).tokenizer(scorer.tokenizer())
                .maxDepth(maxDepth).minDepth(minDepth).build();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("budget_ms", budget.toMillis());
        result.put("min_depth", policy.minDepth());
        result.put("concurrency", concurrency);
        result.put("adaptive", run(scorer, policy, budget, workload, candidates, concurrency, requests, warmup));
        result.put("learned_ns_per_token", policy.nanosPerToken().isPresent()
                ? BenchStats.round(policy.nanosPerToken().getAsDouble()) : null);
        result.put("fixed_depth_" + maxDepth, run(scorer, DepthPolicy.fixed(maxDepth), budget, workload, candidates,
                concurrency, requests, 0));
        return result;
    }

    private static Map<String, Object> run(CrossEncoderScoringModel scorer, DepthPolicy policy, Duration deadline,
                                           RerankWorkload workload, List<List<Content>> candidates, int concurrency,
                                           int requests, int warmup) throws Exception {
        ConcurrentLinkedQueue<RerankEvent> events = new ConcurrentLinkedQueue<>();
        CascadeContentAggregator cascade = CascadeContentAggregator.builder().scoringModel(scorer).depthPolicy(policy)
                .deadline(deadline).maxResults(8).failOpen(true).listener(events::add).build();
        int n = workload.requests().size();
        for (int i = 0; i < warmup; i++) { // one request at a time: the policy's first observations, as after a start
            cascade.rerank(workload.requests().get(i % n).query(), candidates.get(i % n));
        }
        events.clear();
        ConcurrentRunner.Result run = ConcurrentRunner.run(requests, concurrency,
                i -> cascade.rerank(workload.requests().get(i % n).query(), candidates.get(i % n)));
        Latencies latency = Latencies.of(run.latenciesMs());
        Map<Integer, Integer> depths = new TreeMap<>();
        Map<String, Integer> fallbacks = new TreeMap<>();
        long pairs = 0;
        for (RerankEvent event : events) {
            depths.merge(event.depthChosen(), 1, Integer::sum);
            event.fallback().ifPresent(reason -> fallbacks.merge(reason.name(), 1, Integer::sum));
            pairs += event.fallback().isPresent() ? 0 : event.depthChosen();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("requests", requests);
        row.put("p50_ms", BenchStats.round(latency.p50()));
        row.put("p95_ms", BenchStats.round(latency.p95()));
        row.put("p99_ms", BenchStats.round(latency.p99()));
        row.put("max_ms", BenchStats.round(java.util.Arrays.stream(run.latenciesMs()).max().orElse(0)));
        row.put("depths", depths);
        row.put("mean_depth", BenchStats.round(events.stream().mapToInt(RerankEvent::depthChosen).average().orElse(0)));
        row.put("fallbacks", fallbacks);
        row.put("reranked_pairs_per_s", BenchStats.round(pairs / run.wallSeconds()));
        System.err.printf("SLA %s c=%d: p50 %.0f ms, p99 %.0f ms, depths %s, fallbacks %s%n",
                policy instanceof AdaptiveDepthPolicy ? "adaptive" : "fixed", concurrency, latency.p50(),
                latency.p99(), depths, fallbacks);
        return row;
    }
}
