package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.util.List;

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

    @Override
    default void close() {
    }

    /**
     * A final ranking.
     *
     * @param docIds ranked document ids, best first
     * @param pairs  model inputs scored (query-passage pairs or documents), for pairs/s
     * @param depth  how many candidates were reranked
     */
    record Ranking(List<String> docIds, int pairs, int depth) {
        public Ranking {
            docIds = List.copyOf(docIds);
        }
    }
}
