package dev.rerank4j.crossencoder.cache;

import java.util.Collection;
import java.util.Map;

/**
 * A score cache shared by several processes (replicas), consulted by {@link CachingScoringModel} between its
 * local cache and the model, e.g. {@link RedisScoreCache}. One call per request for reads and one for writes, never
 * one per pair.
 *
 * <p>Implementations must be thread-safe and should not throw: a store that is down, slow or returns garbage answers
 * with fewer (or no) hits, so a request never fails because of it. {@link CachingScoringModel} still treats an
 * exception as "no hits" and logs it.
 */
public interface SharedScoreCache {

    /** The scores held for these keys; keys without a (valid) score are absent. */
    Map<ScoreKey, Double> getAll(Collection<ScoreKey> keys);

    /** Stores these scores (with the implementation's time to live). */
    void putAll(Map<ScoreKey, Double> scores);

    /** Counters since creation, for monitoring. */
    default SharedScoreCacheStats stats() {
        return SharedScoreCacheStats.NONE;
    }
}
