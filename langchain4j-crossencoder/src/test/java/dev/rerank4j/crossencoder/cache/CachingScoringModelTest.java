package dev.rerank4j.crossencoder.cache;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringStats;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The score cache over the real tiny cross-encoder (ONNX Runtime). */
class CachingScoringModelTest {

    private static CrossEncoderScoringModel crossEncoder;

    @BeforeAll
    static void load() {
        crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                .engine(EngineKind.ONNX).build();
    }

    @AfterAll
    static void close() {
        crossEncoder.close();
    }

    /** Passes every call on to the real model and records which passages reached it. */
    static final class Recording implements ScoringModel {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            calls.add(segments.stream().map(TextSegment::text).toList());
            return crossEncoder.scoreAll(segments, query);
        }
    }

    private static List<TextSegment> segments(String... texts) {
        return java.util.Arrays.stream(texts).map(TextSegment::from).toList();
    }

    private static CachingScoringModel.Builder cacheOver(ScoringModel delegate) {
        return CachingScoringModel.builder().delegate(delegate).modelIdentity(crossEncoder.modelIdentity());
    }

    @Test
    void only_uncached_pairs_reach_the_model_in_one_call_and_scores_are_unchanged() {
        Recording recording = new Recording();
        CachingScoringModel cache = cacheOver(recording).build();
        String query = "what do cats eat?";

        Response<List<Double>> first = cache.scoreAll(segments("cats eat fish", "dogs bark", "cats eat fish"), query);
        assertThat(recording.calls).containsExactly(List.of("cats eat fish", "dogs bark"));
        assertThat(first.metadata()).containsEntry(CachingScoringModel.META_CACHE_HITS, 0)
                .containsKey(CrossEncoderScoringModel.META_STATS);

        Response<List<Double>> second = cache.scoreAll(segments("dogs bark", "birds sing", "cats eat fish"), query);
        assertThat(recording.calls).hasSize(2);
        assertThat(recording.calls.get(1)).containsExactly("birds sing");
        assertThat(second.metadata()).containsEntry(CachingScoringModel.META_CACHE_HITS, 2);
        assertThat(((ScoringStats) second.metadata().get(CrossEncoderScoringModel.META_STATS)).pairs()).isEqualTo(1);

        List<Double> direct = crossEncoder.scoreAll(segments("dogs bark", "birds sing", "cats eat fish"), query).content();
        assertThat(second.content()).containsExactlyElementsOf(direct);
        assertThat(first.content().get(0)).isEqualTo(first.content().get(2)).isEqualTo(direct.get(2));

        assertThat(cache.stats().hitCount()).isEqualTo(2);
        assertThat(cache.stats().missCount()).isEqualTo(3 + 1);
    }

    @Test
    void a_fully_cached_request_runs_no_inference() {
        Recording recording = new Recording();
        CachingScoringModel cache = cacheOver(recording).build();
        cache.scoreAll(segments("a passage", "another passage"), "q");
        Response<List<Double>> again = cache.scoreAll(segments("another passage", "a passage"), "q");
        assertThat(recording.calls).hasSize(1);
        assertThat(again.metadata()).containsEntry(CachingScoringModel.META_CACHE_HITS, 2)
                .doesNotContainKey(CrossEncoderScoringModel.META_STATS);
    }

    @Test
    void the_same_passage_for_another_query_is_a_miss() {
        Recording recording = new Recording();
        CachingScoringModel cache = cacheOver(recording).build();
        cache.scoreAll(segments("a passage"), "first query");
        cache.scoreAll(segments("a passage"), "second query");
        assertThat(recording.calls).hasSize(2);
    }

    @Test
    void entry_count_bound_evicts_and_counts_evictions() {
        CachingScoringModel cache = cacheOver(new Recording()).maximumSize(2).build();
        cache.scoreAll(segments("one", "two", "three", "four"), "q");
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.stats().evictionCount()).isEqualTo(2);
    }

    @Test
    void memory_weight_bound_evicts() {
        CachingScoringModel cache = cacheOver(new Recording())
                .maximumWeightBytes(3L * CachingScoringModel.ENTRY_BYTES).build();
        cache.scoreAll(segments("one", "two", "three", "four", "five"), "q");
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.stats().evictionCount()).isEqualTo(2);
    }

    @Test
    void entries_expire_after_write() {
        AtomicLong now = new AtomicLong();
        Recording recording = new Recording();
        CachingScoringModel cache = cacheOver(recording).expireAfterWrite(Duration.ofMinutes(5)).ticker(now::get).build();
        cache.scoreAll(segments("one"), "q");
        now.addAndGet(Duration.ofMinutes(4).toNanos());
        cache.scoreAll(segments("one"), "q");
        assertThat(recording.calls).hasSize(1);
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        cache.scoreAll(segments("one"), "q");
        assertThat(recording.calls).hasSize(2);
    }

    @Test
    void keys_separate_fields_so_shifted_boundaries_do_not_collide() {
        assertThat(ScoreKey.of("m", "ab", "c")).isNotEqualTo(ScoreKey.of("m", "a", "bc"));
        assertThat(ScoreKey.of("m1", "q", "p")).isNotEqualTo(ScoreKey.of("m2", "q", "p"));
        assertThat(ScoreKey.of("m", "q", "p")).isEqualTo(ScoreKey.of("m", "q", "p"));
        assertThat(ScoreKey.of("m", "q", "p").hex()).hasSize(64).isEqualTo(ScoreKey.of("m", "q", "p").toString());
    }

    @Test
    void cross_encoder_identity_covers_model_content_max_length_and_normalisation() {
        String sha = crossEncoder.modelDirectory().contentSha256(crossEncoder.modelFile());
        assertThat(crossEncoder.modelIdentity()).contains(sha).contains(crossEncoder.source());
        try (CrossEncoderScoringModel shorter = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).engine(EngineKind.ONNX).maxLength(64).build();
             CrossEncoderScoringModel normalized = CrossEncoderScoringModel.builder()
                     .modelDirectory(TestModels.resourceModel("tiny-ce")).engine(EngineKind.ONNX).normalize(true).build()) {
            assertThat(shorter.modelIdentity()).isNotEqualTo(crossEncoder.modelIdentity()).contains(sha);
            assertThat(normalized.modelIdentity()).isNotEqualTo(crossEncoder.modelIdentity());
            // and the cache built over a model takes its identity from it
            assertThat(CachingScoringModel.builder().delegate(normalized).build().modelIdentity())
                    .isEqualTo(normalized.modelIdentity());
        }
    }

    @Test
    void a_delegate_without_identity_needs_one() {
        ScoringModel anonymous = (segments, query) -> Response.from(segments.stream().map(s -> 0.0).toList());
        assertThatThrownBy(() -> CachingScoringModel.builder().delegate(anonymous).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelIdentity");
        assertThatThrownBy(() -> CachingScoringModel.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delegate");
        assertThatThrownBy(() -> cacheOver(anonymous).build().scoreAll(null, "q"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segments");
    }

    /**
     * A delegate that holds its first call until released (so other threads pile up behind it), optionally failing
     * that call, and counts how often each passage reached the model.
     */
    static final class Gate implements ScoringModel {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger callCount = new AtomicInteger();
        final Map<String, AtomicInteger> perPassage = new ConcurrentHashMap<>();
        volatile boolean failFirst;

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            int call = callCount.incrementAndGet();
            segments.forEach(s -> perPassage.computeIfAbsent(s.text(), k -> new AtomicInteger()).incrementAndGet());
            if (call == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (failFirst) {
                    throw new IllegalStateException("first computation fails");
                }
            }
            return crossEncoder.scoreAll(segments, query);
        }
    }

    /** Starts {@code n} threads scoring the same request; waits until each is parked (in the model or waiting). */
    private static List<Future<List<Double>>> pileUp(ExecutorService pool, CachingScoringModel cache, Gate gate,
                                                     List<TextSegment> request, int n) throws Exception {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        List<Future<List<Double>>> results = new java.util.ArrayList<>();
        results.add(pool.submit(() -> cache.scoreAll(request, "q").content()));
        assertThat(gate.entered.await(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < n; i++) {
            results.add(pool.submit(() -> {
                threads.add(Thread.currentThread());
                return cache.scoreAll(request, "q").content();
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (threads.size() < n - 1 || !threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("threads parked in time").isLessThan(deadline);
            Thread.sleep(5);
        }
        return results;
    }

    @Test
    void concurrent_misses_of_the_same_pair_are_computed_once() throws Exception {
        Gate gate = new Gate();
        CachingScoringModel cache = cacheOver(gate).build();
        List<TextSegment> request = segments("shared passage one", "shared passage two");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Double>>> results = pileUp(pool, cache, gate, request, 8);
            gate.release.countDown();
            List<Double> expected = crossEncoder.scoreAll(request, "q").content();
            for (Future<List<Double>> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(gate.callCount).hasValue(1);
        assertThat(gate.perPassage.get("shared passage one")).hasValue(1);
        assertThat(cache.joinedInFlight()).isEqualTo(7 * 2);
    }

    @Test
    void a_failed_computation_fails_its_own_call_and_one_waiter_computes_it_for_the_rest() throws Exception {
        Gate gate = new Gate();
        gate.failFirst = true;
        CachingScoringModel cache = cacheOver(gate).build();
        List<TextSegment> request = segments("a contested passage");
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<List<Double>>> results = pileUp(pool, cache, gate, request, 5);
            gate.release.countDown();
            assertThatThrownBy(() -> results.get(0).get(30, TimeUnit.SECONDS))
                    .hasRootCauseMessage("first computation fails");
            List<Double> expected = crossEncoder.scoreAll(request, "q").content();
            for (Future<List<Double>> waiter : results.subList(1, results.size())) {
                assertThat(waiter.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(gate.callCount).as("the failed call and one retry, not one per waiter").hasValue(2);
        assertThat(cache.joinedInFlight()).isEqualTo(3);
    }
}
