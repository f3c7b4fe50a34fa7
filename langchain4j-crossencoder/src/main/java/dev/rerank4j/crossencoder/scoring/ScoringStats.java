package dev.rerank4j.crossencoder.scoring;

/**
 * How one scoring call went.
 *
 * @param pairs           pairs asked for
 * @param uniquePairs     pairs actually run (duplicates are computed once)
 * @param batches         model invocations
 * @param realTokens      tokens that are not padding
 * @param paddedTokens    tokens fed to the model, padding included
 * @param tokenizeNanos   time spent tokenising
 * @param inferNanos      time spent in the engine (batch assembly included, waiting for a run slot excluded)
 * @param queueNanos      time spent waiting for a run slot ({@code maxConcurrentRuns}) before the batches ran
 * @param truncatedPairs  unique pairs cut to the maximum length
 */
public record ScoringStats(int pairs, int uniquePairs, int batches, int realTokens, int paddedTokens,
                           long tokenizeNanos, long inferNanos, long queueNanos, int truncatedPairs) {

    /** Stats of a scorer that does not measure queueing or truncation. */
    public ScoringStats(int pairs, int uniquePairs, int batches, int realTokens, int paddedTokens,
                        long tokenizeNanos, long inferNanos) {
        this(pairs, uniquePairs, batches, realTokens, paddedTokens, tokenizeNanos, inferNanos, 0, 0);
    }

    public static ScoringStats empty() {
        return new ScoringStats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Both calls' figures added up (e.g. two delegate calls of one request). */
    public ScoringStats plus(ScoringStats other) {
        return new ScoringStats(pairs + other.pairs, uniquePairs + other.uniquePairs, batches + other.batches,
                realTokens + other.realTokens, paddedTokens + other.paddedTokens, tokenizeNanos + other.tokenizeNanos,
                inferNanos + other.inferNanos, queueNanos + other.queueNanos, truncatedPairs + other.truncatedPairs);
    }

    /** Share of fed tokens that were padding (0 when nothing ran). */
    public double paddingWaste() {
        return paddedTokens == 0 ? 0.0 : 1.0 - (double) realTokens / paddedTokens;
    }
}
