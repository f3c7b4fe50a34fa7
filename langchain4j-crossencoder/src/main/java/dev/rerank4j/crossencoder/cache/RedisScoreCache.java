package dev.rerank4j.crossencoder.cache;

import dev.rerank4j.crossencoder.runtime.internal.OptionalDependency;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.JedisURIHelper;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * The shared (L2) score cache on Redis, through Jedis: every replica of a deployment reads and writes the same
 * scores, so a popular (query, passage) pair is computed once per fleet instead of once per replica.
 *
 * <p>Keys are {@code keyPrefix + ScoreKey.hex()} (the same SHA-256 key as the local cache; one prefix per
 * deployment). Values are 12 bytes: the score as a big-endian IEEE-754 double (exact: an L2 hit equals the
 * model's score bit for bit) and a CRC32C of key and score, so a value that is not ours reads as a miss. One
 * {@code MGET} per request for reads and one pipelined batch of {@code SET ... PX ttl} for writes.
 *
 * <p>Faults never fail a request: a timeout, a refused connection or a corrupt value is a miss, counted in
 * {@link #stats()} and logged at most once per {@code errorLogInterval}. A circuit breaker (Resilience4j) opens
 * when half of the last 10 round trips (at least 5) failed and then skips Redis for {@code coolDown} instead of
 * paying a timeout per request; after that one trial round trip decides whether it closes again.
 *
 * <p>Needs {@code redis.clients:jedis} and {@code io.github.resilience4j:resilience4j-circuitbreaker} (optional
 * dependencies of this library). Thread-safe; {@link #close()} closes the client it created (not one passed in).
 */
public final class RedisScoreCache implements SharedScoreCache, AutoCloseable {

    public static final String DEFAULT_URI = "redis://localhost:6379";
    public static final String DEFAULT_KEY_PREFIX = "rerank4j:score:";
    public static final Duration DEFAULT_TTL = Duration.ofDays(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_ERROR_LOG_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    static final int VALUE_BYTES = Double.BYTES + Integer.BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(RedisScoreCache.class);

    private final UnifiedJedis client;
    private final boolean ownsClient;
    private final String keyPrefix;
    private final long ttlMillis;
    private final CircuitBreaker breaker;
    private final IntervalWarning failures;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder readErrors = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder writes = new LongAdder();

    private RedisScoreCache(Builder builder, UnifiedJedis client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.keyPrefix = builder.keyPrefix;
        this.ttlMillis = builder.ttl.toMillis();
        this.failures = new IntervalWarning(LOG, builder.errorLogInterval);
        this.breaker = CircuitBreaker.of("rerank4j-redis-" + keyPrefix, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(builder.coolDown)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(RuntimeException.class)
                .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            switch (event.getStateTransition().getToState()) {
                case OPEN -> LOG.warn("Redis score cache ({}) unavailable: skipping it for {} ms, scores come from the "
                        + "local cache and the model", keyPrefix, builder.coolDown.toMillis());
                case CLOSED -> LOG.info("Redis score cache ({}) is answering again", keyPrefix);
                default -> LOG.debug("Redis score cache ({}) circuit {}", keyPrefix, event.getStateTransition());
            }
        });
    }

    public static Builder builder() {
        // Jedis 7 introduced RedisClient; Spring Boot 3.5's dependency management pins Jedis 6, so say which version
        OptionalDependency.require("redis.clients.jedis.RedisClient",
                "redis.clients:jedis 7.0 or later (8.0.2 tested; under Spring Boot 3.5 set <jedis.version>8.0.2</jedis.version>)",
                "RedisScoreCache");
        OptionalDependency.require("io.github.resilience4j.circuitbreaker.CircuitBreaker",
                "io.github.resilience4j:resilience4j-circuitbreaker", "RedisScoreCache's circuit breaker");
        return new Builder();
    }

    @Override
    public Map<ScoreKey, Double> getAll(Collection<ScoreKey> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        List<ScoreKey> ordered = new ArrayList<>(keys);
        if (!breaker.tryAcquirePermission()) {
            skipped.increment();
            misses.add(ordered.size());
            return Map.of();
        }
        byte[][] rawKeys = new byte[ordered.size()][];
        for (int i = 0; i < rawKeys.length; i++) {
            rawKeys[i] = redisKey(ordered.get(i));
        }
        long start = System.nanoTime();
        List<byte[]> values;
        try {
            values = client.mget(rawKeys);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            failed(e);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            readErrors.increment();
            misses.add(ordered.size());
            failures.warn("Redis score cache read failed (" + keyPrefix + ")", e);
            return Map.of();
        }
        Map<ScoreKey, Double> found = new HashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            byte[] value = i < values.size() ? values.get(i) : null;
            if (value == null) {
                misses.increment();
                continue;
            }
            Double score = decode(rawKeys[i], value);
            if (score == null) {
                corrupt.increment();
                misses.increment();
                failures.warn("Redis score cache (" + keyPrefix + ") holds a value that is not a score",
                        new IllegalStateException("key " + new String(rawKeys[i], StandardCharsets.UTF_8) + ": "
                                + value.length + " bytes"));
            } else {
                hits.increment();
                found.put(ordered.get(i), score);
            }
        }
        return found;
    }

    @Override
    public void putAll(Map<ScoreKey, Double> scores) {
        if (scores.isEmpty()) {
            return;
        }
        if (!breaker.tryAcquirePermission()) {
            skipped.increment();
            return;
        }
        long start = System.nanoTime();
        try (AbstractPipeline pipeline = client.pipelined()) {
            for (Map.Entry<ScoreKey, Double> entry : scores.entrySet()) {
                byte[] key = redisKey(entry.getKey());
                pipeline.psetex(key, ttlMillis, encode(key, entry.getValue()));
            }
            pipeline.sync();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            writes.add(scores.size());
        } catch (RuntimeException e) {
            failed(e);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            writeErrors.increment();
            failures.warn("Redis score cache write failed (" + keyPrefix + ")", e);
        }
    }

    /**
     * After a connection failure the idle pooled connections are likely dead too (Redis restarted or the network
     * dropped them): drop them, so the breaker's trial round trip after the cool-down uses a fresh connection.
     */
    private void failed(RuntimeException e) {
        if (e instanceof JedisConnectionException && client instanceof RedisClient owned) {
            try {
                owned.getPool().clear();
            } catch (RuntimeException ignored) {
                // the pool may be closing; nothing to drop then
            }
        }
    }

    @Override
    public SharedScoreCacheStats stats() {
        return new SharedScoreCacheStats(hits.sum(), misses.sum(), corrupt.sum(), readErrors.sum(), writeErrors.sum(),
                skipped.sum(), writes.sum(), breaker.getState() != CircuitBreaker.State.CLOSED);
    }

    /** The circuit breaker's state: CLOSED (using Redis), OPEN (skipping it) or HALF_OPEN (one trial). */
    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /** The Redis key of a score: the deployment's prefix and the SHA-256 in hex. */
    public byte[] redisKey(ScoreKey key) {
        return (keyPrefix + key.hex()).getBytes(StandardCharsets.UTF_8);
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration ttl() {
        return Duration.ofMillis(ttlMillis);
    }

    /** Warnings written so far (failures are logged at most once per interval). */
    long warningsLogged() {
        return failures.written();
    }

    static byte[] encode(byte[] key, double score) {
        ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES).putDouble(score);
        value.putInt((int) checksum(key, value.array()));
        return value.array();
    }

    /** The score, or null when the value is not one this class wrote for this key. */
    static Double decode(byte[] key, byte[] value) {
        if (value.length != VALUE_BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        double score = buffer.getDouble();
        if ((int) checksum(key, value) != buffer.getInt() || Double.isNaN(score)) {
            return null;
        }
        return score;
    }

    private static long checksum(byte[] key, byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(key);
        crc.update(value, 0, Double.BYTES);
        return crc.getValue();
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "RedisScoreCache[" + keyPrefix + ", ttl " + ttl() + ", breaker " + breaker.getState() + "]";
    }

    public static final class Builder {
        private String uri;
        private UnifiedJedis client;
        private String keyPrefix;
        private Duration ttl;
        private Duration timeout;
        private Duration coolDown;
        private Duration errorLogInterval;
        private Integer maxConnections;

        /** {@code redis://[user:password@]host:port[/database]} or {@code rediss://...} (default {@value #DEFAULT_URI}). */
        public Builder uri(String uri) {
            this.uri = uri;
            return this;
        }

        /** A client you created (and close); {@code uri}, {@code timeout} and {@code maxConnections} then do not apply. */
        public Builder client(UnifiedJedis client) {
            this.client = client;
            return this;
        }

        /** Put before every key: one per deployment, so deployments never share scores (default {@value #DEFAULT_KEY_PREFIX}). */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        /** How long Redis keeps a score (default one day). */
        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        /** Connect and read timeout of one round trip (default 100 ms). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How long Redis is skipped once the breaker opened (default 30 s). */
        public Builder coolDown(Duration coolDown) {
            this.coolDown = coolDown;
            return this;
        }

        /** At most one failure warning per interval (default one minute). */
        public Builder errorLogInterval(Duration errorLogInterval) {
            this.errorLogInterval = errorLogInterval;
            return this;
        }

        /** Pooled connections at most (default {@value #DEFAULT_MAX_CONNECTIONS}). */
        public Builder maxConnections(Integer maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public RedisScoreCache build() {
            keyPrefix = keyPrefix != null ? keyPrefix : DEFAULT_KEY_PREFIX;
            ttl = positive("ttl", ttl, DEFAULT_TTL);
            timeout = positive("timeout", timeout, DEFAULT_TIMEOUT);
            coolDown = positive("coolDown", coolDown, DEFAULT_COOL_DOWN);
            errorLogInterval = positive("errorLogInterval", errorLogInterval, DEFAULT_ERROR_LOG_INTERVAL);
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms, but is: " + ttl);
            }
            int connections = maxConnections != null ? maxConnections : DEFAULT_MAX_CONNECTIONS;
            ensureGreaterThanZero(connections, "maxConnections");
            if (client != null) {
                if (uri != null) {
                    throw new IllegalArgumentException("uri and client cannot both be set");
                }
                return new RedisScoreCache(this, client, false);
            }
            return new RedisScoreCache(this, createClient(uri != null ? uri : DEFAULT_URI, connections), true);
        }

        private RedisClient createClient(String text, int connections) {
            URI parsed;
            try {
                parsed = URI.create(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uri is not a URI: '" + text + "'", e);
            }
            if (!JedisURIHelper.isValid(parsed)) {
                throw new IllegalArgumentException("uri must look like redis://host:port[/database] or rediss://..., was '"
                        + text + "'");
            }
            int millis = (int) Math.max(1, timeout.toMillis());
            DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(millis)
                    .socketTimeoutMillis(millis)
                    .user(JedisURIHelper.getUser(parsed))
                    .password(JedisURIHelper.getPassword(parsed))
                    .ssl(JedisURIHelper.isRedisSSLScheme(parsed))
                    .clientName("rerank4j");
            if (JedisURIHelper.hasDbIndex(parsed)) {
                config.database(JedisURIHelper.getDBIndex(parsed));
            }
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            pool.setMaxTotal(connections);
            pool.setMaxIdle(connections);
            // An exhausted pool waits no longer than a round trip may take.
            pool.setMaxWait(timeout);
            return RedisClient.builder()
                    .hostAndPort(JedisURIHelper.getHostAndPort(parsed))
                    .clientConfig(config.build())
                    .poolConfig(pool)
                    .build();
        }

        private static Duration positive(String name, Duration value, Duration fallback) {
            if (value == null) {
                return fallback;
            }
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but is: " + value);
            }
            return value;
        }
    }
}
