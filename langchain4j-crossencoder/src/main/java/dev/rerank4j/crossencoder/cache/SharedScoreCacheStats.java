package dev.rerank4j.crossencoder.cache;

/**
 * Counters of a {@link SharedScoreCache} since it was created.
 *
 * @param hits           keys read with a valid score
 * @param misses         keys read without one (absent, corrupt, or the read failed or was skipped)
 * @param corruptValues  values that were not a score written by this library (counted in misses too)
 * @param readErrors     read round trips that failed (timeout, connection refused, ...)
 * @param writeErrors    write round trips that failed
 * @param skipped        round trips not attempted because the circuit breaker was open
 * @param writes         scores written
 * @param breakerOpen    whether the store is being skipped right now (breaker open or half-open)
 */
public record SharedScoreCacheStats(long hits, long misses, long corruptValues, long readErrors, long writeErrors,
                                    long skipped, long writes, boolean breakerOpen) {

    public static final SharedScoreCacheStats NONE = new SharedScoreCacheStats(0, 0, 0, 0, 0, 0, 0, false);

    /** Share of read keys that were hits (0 when none were read). */
    public double hitRate() {
        long reads = hits + misses;
        return reads == 0 ? 0.0 : (double) hits / reads;
    }
}
