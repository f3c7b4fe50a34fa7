package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How many first-stage candidates a request sends to the reranker. */
public interface DepthPolicy {

    /**
     * @param query      the query to rerank for
     * @param candidates first-stage candidates, best first (not empty)
     * @return how many of the leading candidates to rerank (clamped by the caller to the list size)
     */
    int depth(String query, List<TextSegment> candidates);

    /** Feedback after each request that ran the scorer (also after a timeout, with {@code completed} false). */
    default void observe(RerankCost cost) {
    }

    /** The latency the policy plans for, if any; the aggregator's default deadline. */
    default Optional<Duration> latencyBudget() {
        return Optional.empty();
    }

    /** Always the same depth. */
    static DepthPolicy fixed(int depth) {
        return new FixedDepthPolicy(depth);
    }

    /**
     * What one scoring attempt cost.
     *
     * @param query      the query
     * @param passages   the passages sent to the scorer
     * @param realTokens tokens the model actually ran when it reported them (cache misses only), else -1
     * @param nanos      wall time of the attempt
     * @param completed  false when the attempt was cut off by the deadline (then {@code nanos} is a lower bound)
     */
    record RerankCost(String query, List<String> passages, long realTokens, long nanos, boolean completed) {
    }
}
