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
 * @param inferNanos     time from the first batch's start to the last result (batch assembly included, waiting for a worker excluded)
 * @param queueNanos     time the call waited for one of the model's workers ({@code maxConcurrentRuns}) to start its first batch
 */
public record ScoringStats(int pairs, int uniquePairs, int batches, int realTokens, int paddedTokens,
                           int truncatedPairs, long tokenizeNanos, long inferNanos, long queueNanos) {

    /** Stats of a scorer that does not measure queueing. */
    public ScoringStats(int pairs, int uniquePairs, int batches, int realTokens, int paddedTokens,
                        int truncatedPairs, long tokenizeNanos, long inferNanos) {
        this(pairs, uniquePairs, batches, realTokens, paddedTokens, truncatedPairs, tokenizeNanos, inferNanos, 0);
    }

    public static ScoringStats empty() {
        return new ScoringStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Both calls' figures added up (e.g. two delegate calls of one request). */
    public ScoringStats plus(ScoringStats other) {
        return new ScoringStats(pairs + other.pairs, uniquePairs + other.uniquePairs, batches + other.batches,
                realTokens + other.realTokens, paddedTokens + other.paddedTokens, truncatedPairs + other.truncatedPairs,
                tokenizeNanos + other.tokenizeNanos, inferNanos + other.inferNanos, queueNanos + other.queueNanos);
    }

    /** Share of fed tokens that were padding (0 when nothing ran). */
    public double paddingWaste() {
        return paddedTokens == 0 ? 0.0 : 1.0 - (double) realTokens / paddedTokens;
    }
}
