package dev.rerank4j.crossencoder.rag;

/** Why a rerank request did not return a fully reranked list. */
public enum FallbackReason {
    /** The deadline passed before any candidate was reranked: first-stage order. */
    DEADLINE_EXCEEDED,
    /** The deadline passed after the top of the list was reranked: that prefix reranked, the rest in first-stage order. */
    DEADLINE_PARTIAL,
    /**
     * The scoring model failed ({@link dev.rerank4j.crossencoder.runtime.InferenceException} or any other exception,
     * or a wrong number of scores): first-stage order, or, when it failed after the top {@code maxResults} were
     * scored in their own phase (with a deadline), that prefix reranked.
     */
    SCORING_FAILED,
    /** The calling thread was interrupted while scoring or waiting: first-stage order; the interrupt flag stays set. */
    INTERRUPTED,
    /**
     * The scoring model cancelled the work although this request did not ask it to
     * ({@link dev.rerank4j.crossencoder.runtime.InferenceCancelledException}: e.g. it was closed while scoring, or
     * its executor thread was interrupted): what was scored by then is kept, the rest in first-stage order.
     */
    CANCELLED
}
