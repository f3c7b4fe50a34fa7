package dev.rerank4j.crossencoder.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringArguments;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureBetween;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A {@link ScoringModel} decorator that remembers scores in a Caffeine cache, keyed by the SHA-256 of (model
 * identity, query, passage) — each field length-prefixed, so different triples never encode to the same bytes.
 *
 * <p>Per call, only the pairs not in the cache go to the delegate, in one {@code scoreAll} call (duplicates once);
 * a fully cached call runs no inference. The response metadata carries {@link #META_CACHE_HITS} and, when the
 * delegate reported them, its {@link CrossEncoderScoringModel#META_STATS}.
 *
 * <pre>{@code
 * ScoringModel cached = CachingScoringModel.builder().delegate(crossEncoder).maximumSize(100_000).build();
 * }</pre>
 */
public final class CachingScoringModel implements ScoringModel, ModelIdentity {

    /** Response metadata key: how many of the requested pairs were served from the cache ({@link Integer}). */
    public static final String META_CACHE_HITS = "rerank4j.cacheHits";
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;
    /** Rough heap cost of one entry: key (32-byte array + wrapper), boxed score, Caffeine node. */
    static final int ENTRY_BYTES = 160;

    private final ScoringModel delegate;
    private final String identity;
    private final Cache<Key, Double> cache;

    private CachingScoringModel(Builder builder) {
        this.delegate = builder.delegate;
        this.identity = builder.identity;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder().recordStats()
                // Maintenance on the calling thread: evictions are visible as soon as a call returns.
                .executor(Runnable::run);
        if (builder.maximumWeightBytes != null) {
            caffeine.maximumWeight(builder.maximumWeightBytes).weigher((Key key, Double value) -> ENTRY_BYTES);
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
        Key[] keys = new Key[segments.size()];
        Double[] scores = new Double[segments.size()];
        Map<Key, TextSegment> missing = new LinkedHashMap<>();
        int hits = 0;
        for (int i = 0; i < segments.size(); i++) {
            TextSegment segment = segments.get(i);
            keys[i] = key(identity, query, segment.text());
            scores[i] = cache.getIfPresent(keys[i]);
            if (scores[i] != null) {
                hits++;
            } else {
                missing.putIfAbsent(keys[i], segment);
            }
        }
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(META_CACHE_HITS, hits);
        Response<List<Double>> inner = null;
        if (!missing.isEmpty()) {
            List<TextSegment> toScore = new ArrayList<>(missing.values());
            inner = delegate.scoreAll(toScore, query);
            List<Double> computed = inner.content();
            if (computed == null || computed.size() != toScore.size()) {
                throw new IllegalStateException("Delegate scoring model returned " + (computed == null ? "no" : computed.size())
                        + " scores for " + toScore.size() + " segments");
            }
            Map<Key, Double> fresh = new HashMap<>();
            int j = 0;
            for (Key key : missing.keySet()) {
                fresh.put(key, computed.get(j++));
            }
            cache.putAll(fresh);
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] == null) {
                    scores[i] = fresh.get(keys[i]);
                }
            }
            if (inner.metadata() != null) {
                Object stats = inner.metadata().get(CrossEncoderScoringModel.META_STATS);
                if (stats != null) {
                    metadata.put(CrossEncoderScoringModel.META_STATS, stats);
                }
            }
        }
        return Response.from(List.of(scores), inner != null ? inner.tokenUsage() : null, null, metadata);
    }

    /** Hits, misses (per pair) and evictions since the cache was built. */
    public CacheStats stats() {
        return cache.stats();
    }

    /** Entries now held (after pending maintenance). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    public ScoringModel delegate() {
        return delegate;
    }

    @Override
    public String modelIdentity() {
        return identity;
    }

    static Key key(String identity, String query, String passage) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        for (String field : new String[]{identity, query, passage}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            digest.update(bytes);
        }
        return new Key(digest.digest());
    }

    /** The full 32-byte SHA-256 of a (model, query, passage) triple. */
    static final class Key {
        private final byte[] sha256;
        private final int hash;

        Key(byte[] sha256) {
            this.sha256 = sha256;
            this.hash = Arrays.hashCode(sha256);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(sha256, key.sha256);
        }

        @Override
        public int hashCode() {
            return hash;
        }
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
