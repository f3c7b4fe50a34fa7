package dev.rerank4j.eval.run;

import dev.rerank4j.eval.metrics.Latencies;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one pipeline over one pass of a run. Nullable fields are absent measures (reported as JSON null).
 *
 * @param queries         queries with at least one relevant document (the ranking metrics' denominator)
 * @param answerRecall8   share of answerable questions with a gold answer in the top-8 passages
 * @param exactMatch      generated answers (answerable questions), SQuAD exact match
 * @param tokenF1         generated answers (answerable questions), SQuAD token F1
 * @param declinedUnanswerable share of unanswerable questions the chat model declined
 * @param latency         per-query milliseconds, first stage included
 * @param queriesPerSecond queries over summed per-query latency
 * @param pairsPerSecond  model inputs (pairs or documents) over summed rerank time; null without a reranker
 * @param meanDepth       mean number of candidates reranked
 * @param cache           {@code "cold"} or {@code "warm"} for a pass through a score cache, null without one
 * @param cacheHitsPerQuery mean scores served by the cache per query (null without a cache)
 * @param batchesPerQuery mean model batches per query (null when the pipeline does not report them)
 * @param depths          how often each rerank depth was used (depth → queries)
 * @param fallbacks       queries answered in first-stage order (or a partly reranked one), by reason
 * @param details         what the pipeline learned over the pass, e.g. an adaptive policy's cost per token
 */
public record PipelineResult(String name, String modelId, String engine, int queries, double ndcg10, double mrr10,
                             double recall100, double p5, Double answerRecall8, Integer answerableQuestions,
                             Double exactMatch, Double tokenF1, Double declinedUnanswerable, Latencies latency,
                             double queriesPerSecond, Double pairsPerSecond, double meanDepth,
                             double rerankMsMean, String cache, Double cacheHitsPerQuery, Double batchesPerQuery,
                             Map<Integer, Integer> depths, Map<String, Integer> fallbacks,
                             Map<String, Object> details) {

    public PipelineResult {
        depths = Collections.unmodifiableMap(new TreeMap<>(depths));
        fallbacks = Collections.unmodifiableMap(new TreeMap<>(fallbacks));
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details)); // values may be null
    }

    /** Queries that fell back, whatever the reason. */
    public int fallbackCount() {
        return fallbacks.values().stream().mapToInt(Integer::intValue).sum();
    }
}
