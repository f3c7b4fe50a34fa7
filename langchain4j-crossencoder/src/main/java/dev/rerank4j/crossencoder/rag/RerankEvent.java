package dev.rerank4j.crossencoder.rag;

import java.time.Duration;
import java.util.Optional;

/**
 * One rerank request as seen by {@link RerankListener}s.
 *
 * @param query          the query the candidates were scored against
 * @param candidates     first-stage candidates after fusion
 * @param depthChosen    how many of them the depth policy sent to reranking
 * @param cacheHits      pairs served by a score cache (0 without one)
 * @param batches        model invocations (0 when unknown or fully cached)
 * @param tokenizeNanos  time spent tokenising (0 when the scoring model does not report it)
 * @param inferNanos     time spent in inference (0 when not reported)
 * @param totalNanos     wall time of the whole aggregation, fusion included
 * @param fallback       why the result is not fully reranked, if it is not
 */
public record RerankEvent(String query, int candidates, int depthChosen, int cacheHits, int batches,
                          long tokenizeNanos, long inferNanos, long totalNanos, Optional<FallbackReason> fallback) {

    public RerankEvent {
        fallback = fallback == null ? Optional.empty() : fallback;
    }

    public Duration total() {
        return Duration.ofNanos(totalNanos);
    }

    public boolean fellBack() {
        return fallback.isPresent();
    }
}
