package dev.rerank4j.crossencoder.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringArguments;
import dev.rerank4j.crossencoder.scoring.ScoringStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureBetween;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A {@link ScoringModel} decorator that remembers scores: a local Caffeine cache (L1), optionally a
 * {@link SharedScoreCache} such as {@link RedisScoreCache} shared by every replica (L2), then the model. Both levels
 * use the same {@link ScoreKey}: the SHA-256 of (model identity, query, passage).
 *
 * <p>Per call: the pairs missing from L1 are read from L2 in one round trip; those still missing go to the delegate
 * in one {@code scoreAll} call (duplicates once) and are written to L1 and, in one round trip, to L2. A fully
 * cached call runs no inference. Concurrent calls missing the same pair share one computation (single flight): the
 * first computes it, the others wait for its result; if that computation fails, each waiter computes the pair
 * itself. A failing L2 never fails a call: its pairs count as misses.
 *
 * <p>The response metadata carries {@link #META_CACHE_HITS}, {@link #META_SHARED_CACHE_HITS},
 * {@link #META_JOINED} and, when the delegate reported them, its {@link CrossEncoderScoringModel#META_STATS}.
 * Thread-safe.
 *
 * <pre>{@code
 * ScoringModel cached = CachingScoringModel.builder().delegate(crossEncoder).maximumSize(100_000).build();
 * }</pre>
 */
public final class CachingScoringModel implements ScoringModel, ModelIdentity {

    /** Response metadata key: requested pairs served from L1 or L2 ({@link Integer}). */
    public static final String META_CACHE_HITS = "rerank4j.cacheHits";
    /** Response metadata key: of those, the pairs served from the shared cache (L2) ({@link Integer}). */
    public static final String META_SHARED_CACHE_HITS = "rerank4j.sharedCacheHits";
    /** Response metadata key: pairs taken from a concurrent call's computation (single flight) ({@link Integer}). */
    public static final String META_JOINED = "rerank4j.joinedInFlight";
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;
    /** Rough heap cost of one entry: key (32-byte array + wrapper), boxed score, Caffeine node. */
    static final int ENTRY_BYTES = 160;

    private static final Logger LOG = LoggerFactory.getLogger(CachingScoringModel.class);

    private final ScoringModel delegate;
    private final String identity;
    private final Cache<ScoreKey, Double> cache;
    private final SharedScoreCache shared;
    private final Map<ScoreKey, CompletableFuture<Double>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder joined = new LongAdder();
    private final IntervalWarning sharedFailures = new IntervalWarning(LOG, Duration.ofMinutes(1));

    private CachingScoringModel(Builder builder) {
        this.delegate = builder.delegate;
        this.identity = builder.identity;
        this.shared = builder.shared;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder().recordStats()
                // Maintenance on the calling thread: evictions are visible as soon as a call returns.
                .executor(Runnable::run);
        if (builder.maximumWeightBytes != null) {
            caffeine.maximumWeight(builder.maximumWeightBytes).weigher((ScoreKey key, Double value) -> ENTRY_BYTES);
        } else {
            caffeine.maximumSize(getOrDefault(builder.maximumSize, DEFAULT_MAXIMUM_SIZE));
        }
        if (builder.expireAfterWrite != null) {
            caffeine.expireAfterWrite(builder.expireAfterWrite);
        }
        if (builder.ticker != null) {
            caffeine.ticker(builder.ticker::read);
        }
        this.cache = caffeine.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        ScoringArguments.requireValid(segments, query);
        ScoreKey[] keys = new ScoreKey[segments.size()];
        Double[] scores = new Double[segments.size()];
        Map<ScoreKey, TextSegment> missing = new LinkedHashMap<>();
        int hits = 0;
        for (int i = 0; i < segments.size(); i++) {
            keys[i] = key(identity, query, segments.get(i).text());
            scores[i] = cache.getIfPresent(keys[i]);
            if (scores[i] != null) {
                hits++;
            } else {
                missing.putIfAbsent(keys[i], segments.get(i));
            }
        }
        Map<ScoreKey, Double> found = new HashMap<>();
        Map<ScoreKey, Double> fromShared = missing.isEmpty() ? Map.of() : readShared(missing);
        found.putAll(fromShared);
        Calls calls = new Calls();
        Map<ScoreKey, Double> fromJoins = new HashMap<>();
        if (!missing.isEmpty()) {
            computeOnce(query, missing, found, fromJoins, calls);
        }
        int sharedHits = 0;
        int joinedHits = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == null) {
                scores[i] = found.get(keys[i]);
                sharedHits += fromShared.containsKey(keys[i]) ? 1 : 0;
                joinedHits += fromJoins.containsKey(keys[i]) ? 1 : 0;
            }
        }
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(META_CACHE_HITS, hits + sharedHits);
        metadata.put(META_SHARED_CACHE_HITS, sharedHits);
        metadata.put(META_JOINED, joinedHits);
        if (calls.stats != null) {
            metadata.put(CrossEncoderScoringModel.META_STATS, calls.stats);
        }
        return Response.from(List.of(scores), calls.tokenUsage, null, metadata);
    }

    /** L2 hits for the keys missing from L1; they go into L1 and leave {@code missing}. */
    private Map<ScoreKey, Double> readShared(Map<ScoreKey, TextSegment> missing) {
        if (shared == null) {
            return Map.of();
        }
        Map<ScoreKey, Double> hits;
        try {
            hits = shared.getAll(List.copyOf(missing.keySet()));
        } catch (RuntimeException e) {
            sharedFailures.warn("Shared score cache read failed, scoring without it", e);
            return Map.of();
        }
        Map<ScoreKey, Double> valid = new HashMap<>();
        hits.forEach((key, score) -> {
            if (score != null && missing.containsKey(key)) {
                valid.put(key, score);
            }
        });
        cache.putAll(valid);
        missing.keySet().removeAll(valid.keySet());
        return valid;
    }

    private void writeShared(Map<ScoreKey, Double> fresh) {
        if (shared == null || fresh.isEmpty()) {
            return;
        }
        try {
            shared.putAll(fresh);
        } catch (RuntimeException e) {
            sharedFailures.warn("Shared score cache write failed", e);
        }
    }

    /**
     * Single flight: claims the keys nobody is computing, computes them in one delegate call, then waits for the
     * keys other calls were computing. Keys whose computation failed elsewhere go round again, so one waiter
     * computes them and the rest wait for it; a failure of this call's own computation is thrown.
     */
    private void computeOnce(String query, Map<ScoreKey, TextSegment> missing, Map<ScoreKey, Double> found,
                             Map<ScoreKey, Double> fromJoins, Calls calls) {
        Map<ScoreKey, TextSegment> pending = missing;
        while (!pending.isEmpty()) {
            Map<ScoreKey, CompletableFuture<Double>> owned = new LinkedHashMap<>();
            Map<ScoreKey, CompletableFuture<Double>> others = new LinkedHashMap<>();
            for (ScoreKey key : pending.keySet()) {
                CompletableFuture<Double> mine = new CompletableFuture<>();
                CompletableFuture<Double> running = inFlight.putIfAbsent(key, mine);
                if (running != null) {
                    others.put(key, running);
                    continue;
                }
                // A computation may have finished between our L1 look-up and the claim (asMap: no stats recorded).
                Double finished = cache.asMap().get(key);
                if (finished != null) {
                    inFlight.remove(key, mine);
                    mine.complete(finished);
                    found.put(key, finished);
                    fromJoins.put(key, finished);
                    joined.increment();
                } else {
                    owned.put(key, mine);
                }
            }
            if (!owned.isEmpty()) {
                compute(query, pending, owned, found, calls);
            }
            Map<ScoreKey, TextSegment> failedElsewhere = new LinkedHashMap<>();
            for (Map.Entry<ScoreKey, CompletableFuture<Double>> entry : others.entrySet()) {
                Double score = await(entry.getValue());
                if (score == null) {
                    failedElsewhere.put(entry.getKey(), pending.get(entry.getKey()));
                } else {
                    found.put(entry.getKey(), score);
                    fromJoins.put(entry.getKey(), score);
                    joined.increment();
                }
            }
            pending = failedElsewhere;
        }
    }

    /** One delegate call for the claimed keys; completes their futures (exceptionally when it fails). */
    private void compute(String query, Map<ScoreKey, TextSegment> segments, Map<ScoreKey, CompletableFuture<Double>> claimed,
                         Map<ScoreKey, Double> found, Calls calls) {
        List<ScoreKey> keys = new ArrayList<>(claimed.keySet());
        List<TextSegment> toScore = keys.stream().map(segments::get).toList();
        try {
            Response<List<Double>> inner = delegate.scoreAll(toScore, query);
            List<Double> computed = inner == null ? null : inner.content();
            if (computed == null || computed.size() != toScore.size()) {
                throw new IllegalStateException("Delegate scoring model returned " + (computed == null ? "no" : computed.size())
                        + " scores for " + toScore.size() + " segments");
            }
            Map<ScoreKey, Double> fresh = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                Double score = computed.get(i);
                if (score == null) {
                    throw new IllegalStateException("Delegate scoring model returned a null score for segment " + i);
                }
                fresh.put(keys.get(i), score);
            }
            cache.putAll(fresh);
            found.putAll(fresh);
            claimed.forEach((key, future) -> future.complete(fresh.get(key)));
            calls.add(inner);
            writeShared(fresh);
        } catch (RuntimeException | Error e) {
            claimed.values().forEach(future -> future.completeExceptionally(e));
            throw e;
        } finally {
            claimed.forEach(inFlight::remove);
        }
    }

    /** The score another call computed, or null when its computation failed. */
    private static Double await(CompletableFuture<Double> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a concurrent computation of the same pair", e);
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** What the delegate calls of one request reported, added up. */
    private static final class Calls {
        ScoringStats stats;
        TokenUsage tokenUsage;

        void add(Response<List<Double>> response) {
            TokenUsage usage = response.tokenUsage();
            tokenUsage = tokenUsage == null ? usage : usage == null ? tokenUsage : tokenUsage.add(usage);
            Object reported = response.metadata() == null ? null : response.metadata().get(CrossEncoderScoringModel.META_STATS);
            if (reported instanceof ScoringStats s) {
                stats = stats == null ? s : stats.plus(s);
            }
        }
    }

    /** Hits, misses (per pair) and evictions of the local cache since it was built. */
    public CacheStats stats() {
        return cache.stats();
    }

    /** Counters of the shared cache, or {@link SharedScoreCacheStats#NONE} without one. */
    public SharedScoreCacheStats sharedStats() {
        return shared == null ? SharedScoreCacheStats.NONE : shared.stats();
    }

    /** Pairs taken from a concurrent call's computation instead of computing them again. */
    public long joinedInFlight() {
        return joined.sum();
    }

    /** The local Caffeine cache, for metrics binders (e.g. Micrometer's {@code CaffeineCacheMetrics}). */
    public Cache<ScoreKey, Double> localCache() {
        return cache;
    }

    /** Entries now held in the local cache (after pending maintenance). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Empties the local cache (the shared one is left alone: other replicas use it). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    public ScoringModel delegate() {
        return delegate;
    }

    public java.util.Optional<SharedScoreCache> sharedCache() {
        return java.util.Optional.ofNullable(shared);
    }

    @Override
    public String modelIdentity() {
        return identity;
    }

    static ScoreKey key(String identity, String query, String passage) {
        return ScoreKey.of(identity, query, passage);
    }

    /** A nanosecond clock, for tests of expiry. */
    @FunctionalInterface
    public interface Ticker {
        long read();
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private ScoringModel delegate;
        private String identity;
        private Long maximumSize;
        private Long maximumWeightBytes;
        private Duration expireAfterWrite;
        private Ticker ticker;
        private SharedScoreCache shared;

        /** Required: the model whose scores are cached; its identity comes from {@link ModelIdentity} when it has one. */
        public Builder delegate(ScoringModel delegate) {
            this.delegate = delegate;
            return this;
        }

        /** Required when the delegate is not a {@link ModelIdentity}: what makes its scores reproducible. */
        public Builder modelIdentity(String identity) {
            this.identity = identity;
            return this;
        }

        /** Bound by entry count (default {@value #DEFAULT_MAXIMUM_SIZE}). */
        public Builder maximumSize(long maximumSize) {
            this.maximumSize = maximumSize;
            return this;
        }

        /** Bound by estimated heap bytes instead of entries (about {@value #ENTRY_BYTES} bytes an entry). */
        public Builder maximumWeightBytes(long bytes) {
            this.maximumWeightBytes = bytes;
            return this;
        }

        /** Default: entries do not expire. */
        public Builder expireAfterWrite(Duration expireAfterWrite) {
            this.expireAfterWrite = expireAfterWrite;
            return this;
        }

        /** The clock of expireAfterWrite (default the system's). */
        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        /** A second level shared by the replicas, e.g. {@link RedisScoreCache} (default none; null: none). */
        public Builder sharedCache(SharedScoreCache shared) {
            this.shared = shared;
            return this;
        }

        public CachingScoringModel build() {
            ensureNotNull(delegate, "delegate");
            if (maximumSize != null && maximumWeightBytes != null) {
                throw new IllegalArgumentException("Set either maximumSize or maximumWeightBytes, not both");
            }
            if (maximumSize != null) {
                ensureBetween(maximumSize, 0, Long.MAX_VALUE, "maximumSize");
            }
            if (maximumWeightBytes != null) {
                ensureBetween(maximumWeightBytes, 0, Long.MAX_VALUE, "maximumWeightBytes");
            }
            if (expireAfterWrite != null && (expireAfterWrite.isNegative() || expireAfterWrite.isZero())) {
                throw new IllegalArgumentException("expireAfterWrite must be positive, but is: " + expireAfterWrite);
            }
            if (identity != null) {
                ensureNotBlank(identity, "modelIdentity");
            } else if (delegate instanceof ModelIdentity modelIdentity) {
                identity = modelIdentity.modelIdentity();
            } else {
                throw new IllegalArgumentException("delegate " + delegate.getClass().getName()
                        + " is not a ModelIdentity: give modelIdentity(...) so cached scores cannot mix models");
            }
            return new CachingScoringModel(this);
        }
    }
}
