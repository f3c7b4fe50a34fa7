package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.util.List;
import java.util.Map;

/** One pipeline of a run: turns the shared first-stage candidates into a final ranking. */
public interface RerankPipeline extends AutoCloseable {

    /** The name used on the command line and in summary.json, e.g. {@code ce@30}. */
    String name();

    Ranking rank(Query query, List<Candidate> candidates);

    /** Model identity for reports (null for none). */
    String modelId();

    /** Engine description for reports (null for none). */
    default String engine() {
        return null;
    }

    /** Whether scores are cached between queries (then a run reports a cold and a warm pass). */
    default boolean cached() {
        return false;
    }

    /** Empties the score cache, so that the next pass starts cold. */
    default void clearCache() {
    }

    /** Figures the pipeline learned over the run, for reports (e.g. an adaptive policy's cost per token). */
    default Map<String, Object> details() {
        return Map.of();
    }

    @Override
    default void close() {
    }

    /**
     * A final ranking.
     *
     * @param docIds    ranked document ids, best first
     * @param pairs     model inputs scored (query-passage pairs or documents), for pairs/s
     * @param depth     how many candidates were reranked
     * @param cacheHits of those, how many scores came from a cache
     * @param batches   model batches run (0 when unknown)
     * @param fallback  why the reranker fell back to first-stage order, or null
     */
    record Ranking(List<String> docIds, int pairs, int depth, int cacheHits, int batches, String fallback) {
        public Ranking {
            docIds = List.copyOf(docIds);
        }

        /** A ranking without cache, batch or fallback information. */
        public Ranking(List<String> docIds, int pairs, int depth) {
            this(docIds, pairs, depth, 0, 0, null);
        }
    }
}
