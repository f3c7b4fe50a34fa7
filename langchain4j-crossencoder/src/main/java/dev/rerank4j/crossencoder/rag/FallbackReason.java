package dev.rerank4j.crossencoder.rag;

/** Why a rerank request did not return a fully reranked list. */
public enum FallbackReason {
    /** The deadline passed before any candidate was reranked: first-stage order. */
    DEADLINE_EXCEEDED,
    /** The deadline passed after the top of the list was reranked: that prefix reranked, the rest in first-stage order. */
    DEADLINE_PARTIAL,
    /**
     * The scoring model threw (or returned a wrong number of scores): first-stage order, or, when it failed after
     * the top {@code maxResults} were scored in their own phase (with a deadline), that prefix reranked.
     */
    SCORING_FAILED,
    /** The calling thread was interrupted while waiting: first-stage order. */
    INTERRUPTED
}
