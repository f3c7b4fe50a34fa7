package dev.rerank4j.crossencoder.rag;

/**
 * What one {@link DenseIndex#sync} changed.
 *
 * @param added     documents embedded for the first time
 * @param updated   documents whose content changed and were embedded again
 * @param removed   documents no longer in the input, removed from the store
 * @param unchanged documents kept as they were (no embedding work)
 */
public record IngestReport(int added, int updated, int removed, int unchanged) {

    /** Documents that went through the embedding model in this sync. */
    public int embedded() {
        return added + updated;
    }
}
