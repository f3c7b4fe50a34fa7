package dev.rerank4j.crossencoder.runtime;

/**
 * What happens to a (query, passage) pair longer than the model's max length. Every truncated pair is counted in
 * the scorer's response metadata.
 */
public enum Truncation {
    /** Refuse the request: an {@code IllegalArgumentException} names the segment and its token count. */
    FAIL,
    /**
     * Cut the passage and keep the query whole; only a query that alone leaves no room for the passage is cut too
     * ({@link #LONGEST_FIRST}). The default: the query is what the passages are ranked against.
     */
    PASSAGE_FIRST,
    /** Hugging Face's {@code longest_first}: cut the longer of the two, token by token, as sentence-transformers does. */
    LONGEST_FIRST
}
