package dev.rerank4j.crossencoder.scoring;

/**
 * How one scoring call went.
 *
 * @param pairs          pairs asked for
 * @param uniquePairs    pairs actually run (duplicates are computed once)
 * @param batches        model invocations
 * @param realTokens     tokens that are not padding
 * @param paddedTokens   tokens fed to the model, padding included
 * @param truncatedPairs pairs (of {@code pairs}) cut to the scorer's max length
 * @param tokenizeNanos  time spent tokenising
 * @param inferNanos     time spent in the engine (batch assembly included)
 */
public record ScoringStats(int pairs, int uniquePairs, int batches, int realTokens, int paddedTokens,
                           int truncatedPairs, long tokenizeNanos, long inferNanos) {

    public static ScoringStats empty() {
        return new ScoringStats(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Share of fed tokens that were padding (0 when nothing ran). */
    public double paddingWaste() {
        return paddedTokens == 0 ? 0.0 : 1.0 - (double) realTokens / paddedTokens;
    }
}
