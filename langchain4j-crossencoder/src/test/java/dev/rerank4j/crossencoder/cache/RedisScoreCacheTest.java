package dev.rerank4j.crossencoder.cache;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.testkit.RedisServerProcess;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared L2 score cache against a real redis-server this test starts on a free loopback port. */
class RedisScoreCacheTest {

    private static CrossEncoderScoringModel crossEncoder;
    private static RedisServerProcess redis;
    private final List<RedisScoreCache> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.startOrSkip();
        crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                .engine(EngineKind.ONNX).build();
    }

    @AfterAll
    static void stop() {
        if (crossEncoder != null) {
            crossEncoder.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        if (!redis.isRunning()) {
            redis.restart();
        }
        redis.command("FLUSHALL");
        redis.command("CONFIG", "RESETSTAT");
    }

    @AfterEach
    void closeCaches() {
        opened.forEach(RedisScoreCache::close);
    }

    /** The real tiny model, counting the pairs that reach it. */
    static final class Counting implements ScoringModel {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger pairs = new AtomicInteger();

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            calls.incrementAndGet();
            pairs.addAndGet(segments.size());
            return crossEncoder.scoreAll(segments, query);
        }
    }

    private RedisScoreCache.Builder redisCache() {
        return RedisScoreCache.builder().uri(redis.uri()).keyPrefix("test:");
    }

    private RedisScoreCache open(RedisScoreCache.Builder builder) {
        RedisScoreCache cache = builder.build();
        opened.add(cache);
        return cache;
    }

    /** A replica: its own local cache over the model, sharing the given L2. */
    private static CachingScoringModel replica(ScoringModel model, RedisScoreCache shared) {
        return CachingScoringModel.builder().delegate(model).modelIdentity(crossEncoder.modelIdentity())
                .sharedCache(shared).build();
    }

    private static List<TextSegment> passages(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> TextSegment.from(prefix + " passage number " + i)).toList();
    }

    private static long commandCalls(String command) {
        String info = infoCommandStats();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    private static String infoCommandStats() {
        // A bulk reply: read it through Jedis rather than the testkit's one-line reader.
        try (var jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            return jedis.info("commandstats");
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void two_replicas_with_separate_local_caches_share_scores_through_redis() {
        Counting modelA = new Counting();
        Counting modelB = new Counting();
        CachingScoringModel a = replica(modelA, open(redisCache()));
        CachingScoringModel b = replica(modelB, open(redisCache()));
        List<TextSegment> request = passages("shared", 30);

        List<Double> fromA = a.scoreAll(request, "a query").content();
        Response<List<Double>> fromB = b.scoreAll(request, "a query");

        assertThat(modelA.pairs).hasValue(30);
        assertThat(modelB.calls).as("replica B computed nothing").hasValue(0);
        assertThat(fromB.content()).as("bit for bit the model's scores").containsExactlyElementsOf(fromA);
        assertThat(fromB.metadata()).containsEntry(CachingScoringModel.META_SHARED_CACHE_HITS, 30)
                .containsEntry(CachingScoringModel.META_CACHE_HITS, 30);
        assertThat(b.sharedStats().hits()).isEqualTo(30);
        assertThat(a.sharedStats().writes()).isEqualTo(30);
    }

    @Test
    void one_mget_per_request_not_one_round_trip_per_pair() {
        CachingScoringModel a = replica(new Counting(), open(redisCache()));
        a.scoreAll(passages("batched", 25), "q1");
        a.scoreAll(passages("batched", 25), "q2");
        assertThat(commandCalls("mget")).isEqualTo(2);
        assertThat(commandCalls("get")).isZero();
        assertThat(commandCalls("psetex")).isEqualTo(50);
        // a fully local hit does not touch Redis at all
        a.scoreAll(passages("batched", 25), "q1");
        assertThat(commandCalls("mget")).isEqualTo(2);
    }

    @Test
    void scores_expire_after_the_ttl() throws InterruptedException {
        RedisScoreCache shared = open(redisCache().ttl(Duration.ofMillis(800)));
        CachingScoringModel a = replica(new Counting(), shared);
        a.scoreAll(passages("short-lived", 1), "q");
        byte[] key = shared.redisKey(ScoreKey.of(crossEncoder.modelIdentity(), "q", "short-lived passage number 0"));
        try (var jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            assertThat(jedis.pttl(key)).isBetween(1L, 800L);
            await("the key expires", () -> !jedis.exists(key));
        }
        Counting later = new Counting();
        replica(later, shared).scoreAll(passages("short-lived", 1), "q");
        assertThat(later.pairs).as("recomputed after expiry").hasValue(1);
    }

    @Test
    void a_corrupt_value_reads_as_a_miss_and_is_replaced() {
        RedisScoreCache shared = open(redisCache());
        String passage = "a passage whose cached value was damaged";
        byte[] key = shared.redisKey(ScoreKey.of(crossEncoder.modelIdentity(), "q", passage));
        redis.command("SET", new String(key, StandardCharsets.UTF_8), "not a score");
        Counting model = new Counting();

        List<Double> scores = replica(model, shared).scoreAll(List.of(TextSegment.from(passage)), "q").content();

        assertThat(model.pairs).hasValue(1);
        assertThat(scores).containsExactlyElementsOf(crossEncoder.scoreAll(List.of(TextSegment.from(passage)), "q").content());
        assertThat(shared.stats().corruptValues()).isEqualTo(1);
        Counting next = new Counting();
        assertThat(replica(next, shared).scoreAll(List.of(TextSegment.from(passage)), "q").content()).isEqualTo(scores);
        assertThat(next.calls).as("the damaged value was overwritten").hasValue(0);
    }

    @Test
    void values_are_checked_against_their_key() {
        byte[] key = "k1".getBytes(StandardCharsets.UTF_8);
        byte[] value = RedisScoreCache.encode(key, -3.25);
        assertThat(RedisScoreCache.decode(key, value)).isEqualTo(-3.25);
        assertThat(RedisScoreCache.decode("k2".getBytes(StandardCharsets.UTF_8), value)).as("moved to another key").isNull();
        value[3] ^= 1;
        assertThat(RedisScoreCache.decode(key, value)).as("a flipped bit").isNull();
        assertThat(RedisScoreCache.decode(key, new byte[5])).isNull();
    }

    @Test
    void deployments_with_different_prefixes_do_not_share() {
        replica(new Counting(), open(redisCache().keyPrefix("blue:"))).scoreAll(passages("deploy", 3), "q");
        Counting green = new Counting();
        replica(green, open(redisCache().keyPrefix("green:"))).scoreAll(passages("deploy", 3), "q");
        assertThat(green.pairs).hasValue(3);
    }

    @Test
    void killed_redis_fails_no_request_opens_the_breaker_and_recovers_when_it_returns() throws InterruptedException {
        RedisScoreCache shared = open(redisCache().coolDown(Duration.ofMillis(300)));
        Counting model = new Counting();
        CachingScoringModel replica = replica(model, shared);
        replica.scoreAll(passages("before", 5), "q");

        redis.kill();
        for (int i = 0; i < 20; i++) {
            List<Double> scores = replica.scoreAll(passages("during outage " + i, 3), "q").content();
            assertThat(scores).hasSize(3).doesNotContainNull();
        }
        SharedScoreCacheStats during = shared.stats();
        assertThat(during.readErrors() + during.writeErrors()).isPositive();
        assertThat(during.skipped()).as("the breaker skipped Redis instead of failing on every request").isPositive();
        assertThat(during.readErrors() + during.writeErrors()).as("not one timeout per request").isLessThan(20 * 2);
        assertThat(shared.warningsLogged()).as("failures logged once per interval").isEqualTo(1);

        redis.restart();
        AtomicInteger round = new AtomicInteger();
        await("the breaker closes once Redis answers again", () -> {
            replica.scoreAll(passages("after " + round.incrementAndGet(), 2), "q");
            return shared.breakerState() == CircuitBreaker.State.CLOSED && shared.stats().writes() > 5;
        });
        Counting other = new Counting();
        replica(other, shared).scoreAll(passages("after " + round.get(), 2), "q");
        assertThat(other.calls).as("scores written after recovery are shared again").hasValue(0);
    }

    @Test
    void a_stalled_redis_costs_a_few_timeouts_then_is_skipped() throws InterruptedException {
        RedisScoreCache shared = open(redisCache().timeout(Duration.ofMillis(50)).coolDown(Duration.ofMinutes(1)));
        CachingScoringModel replica = replica(new Counting(), shared);
        replica.scoreAll(passages("warm", 2), "q");
        redis.command("CLIENT", "PAUSE", "3000", "ALL");
        int requests = 30;
        for (int i = 0; i < requests; i++) {
            assertThat(replica.scoreAll(passages("stalled " + i, 2), "q").content()).hasSize(2);
        }
        SharedScoreCacheStats stats = shared.stats();
        assertThat(stats.breakerOpen()).isTrue();
        assertThat(stats.readErrors() + stats.writeErrors()).as("timeouts paid").isBetween(1L, 10L);
        assertThat(stats.skipped()).isGreaterThanOrEqualTo(requests - 10L);
    }

    @Test
    void bad_settings_name_the_option() {
        assertThatThrownBy(() -> RedisScoreCache.builder().ttl(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> RedisScoreCache.builder().timeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> RedisScoreCache.builder().uri("http://example").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uri");
        assertThatThrownBy(() -> RedisScoreCache.builder().maxConnections(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    }
}
