package dev.rerank4j.crossencoder.metrics;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringStats;
import dev.rerank4j.crossencoder.testing.TestModels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Micrometer meters of the scoring decorator, the cascade listener and the cache binder, over the real tiny model. */
class MetricsTest {

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

    private static List<TextSegment> segments(String... texts) {
        return java.util.Arrays.stream(texts).map(TextSegment::from).toList();
    }

    private static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void a_scoring_call_records_its_time_split_pairs_tokens_and_truncation() {
        MeterRegistry registry = new SimpleMeterRegistry();
        CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
        ScoringModel metered = MeteredScoringModel.builder().delegate(cache).meterRegistry(registry).build();
        List<TextSegment> request = segments("a short passage", "word ".repeat(1_000), "another passage");

        ScoringStats stats = (ScoringStats) metered.scoreAll(request, "q").metadata().get(CrossEncoderScoringModel.META_STATS);
        metered.scoreAll(request, "q");

        String[] common = {"gen_ai.operation.name", "rerank", "gen_ai.request.model", "tiny-ce",
                "gen_ai.provider.name", "rerank4j"};
        Timer duration = registry.get(RerankMetrics.OPERATION_DURATION).tags(common).tag("error.type", "none").timer();
        assertThat(duration.count()).isEqualTo(2);
        assertThat(registry.get(RerankMetrics.INFER_DURATION).tags(common).timer().count()).as("only the computing call")
                .isEqualTo(1);
        assertThat(registry.get(RerankMetrics.TOKENIZE_DURATION).timer().count()).isEqualTo(1);
        assertThat(registry.get(RerankMetrics.QUEUE_DURATION).timer().count()).isEqualTo(1);
        assertThat(count(registry, RerankMetrics.PAIRS, "result", "computed")).isEqualTo(3);
        assertThat(count(registry, RerankMetrics.PAIRS, "result", "cached")).isEqualTo(3);
        assertThat(count(registry, RerankMetrics.PAIRS, "result", "joined")).isZero();
        assertThat(count(registry, RerankMetrics.TOKENS, "kind", "real")).isEqualTo(stats.realTokens());
        assertThat(count(registry, RerankMetrics.TOKENS, "kind", "padded")).isEqualTo(stats.paddedTokens())
                .isGreaterThanOrEqualTo(stats.realTokens());
        assertThat(count(registry, RerankMetrics.BATCHES)).isEqualTo(stats.batches());
        assertThat(count(registry, RerankMetrics.TRUNCATED_PAIRS)).isEqualTo(1);
        assertThat(registry.get(RerankMetrics.TOKEN_USAGE).tag("gen_ai.token.type", "input").summary().totalAmount())
                .isEqualTo(stats.realTokens());
    }

    @Test
    void failures_are_counted_by_exception_type_and_still_thrown() {
        MeterRegistry registry = new SimpleMeterRegistry();
        ScoringModel metered = MeteredScoringModel.builder().delegate(crossEncoder).meterRegistry(registry)
                .modelName("my-reranker").build();
        assertThatThrownBy(() -> metered.scoreAll(null, "q")).isInstanceOf(IllegalArgumentException.class);
        assertThat(count(registry, RerankMetrics.ERRORS, "error.type", "IllegalArgumentException",
                "gen_ai.request.model", "my-reranker")).isEqualTo(1);
        assertThat(registry.get(RerankMetrics.OPERATION_DURATION).tag("error.type", "IllegalArgumentException")
                .timer().count()).isEqualTo(1);
    }

    @Test
    void the_cascade_listener_records_depth_and_each_fallback_reason() {
        MeterRegistry registry = new SimpleMeterRegistry();
        MicrometerRerankListener listener = new MicrometerRerankListener(registry, "tiny-ce");
        List<Content> candidates = IntStream.range(0, 12).mapToObj(i -> Content.from("candidate " + i)).toList();
        CascadeContentAggregator working = CascadeContentAggregator.builder().scoringModel(crossEncoder)
                .rerankDepth(10).listener(listener).build();
        CascadeContentAggregator failing = CascadeContentAggregator.builder()
                .scoringModel((segments, query) -> {
                    throw new IllegalStateException("model down");
                })
                .rerankDepth(10).listener(listener).build();

        working.rerank("q", candidates);
        failing.rerank("q", candidates);

        assertThat(registry.get(RerankMetrics.CASCADE_DURATION).timer().count()).isEqualTo(2);
        assertThat(registry.get(RerankMetrics.CASCADE_DEPTH).summary().totalAmount()).isEqualTo(20);
        assertThat(registry.get(RerankMetrics.CASCADE_CANDIDATES).summary().max()).isEqualTo(12);
        assertThat(count(registry, RerankMetrics.CASCADE_FALLBACKS, "reason", "scoring_failed")).isEqualTo(1);
        assertThat(count(registry, RerankMetrics.CASCADE_FALLBACKS, "reason", "deadline_exceeded"))
                .as("every reason is there from the start").isZero();
    }

    @Test
    void the_cache_binder_uses_caffeines_meters_for_the_local_cache() {
        MeterRegistry registry = new SimpleMeterRegistry();
        CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
        new ScoreCacheMetrics(cache).bindTo(registry);
        cache.scoreAll(segments("one", "two", "three"), "q");
        cache.scoreAll(segments("three"), "q");
        assertThat(registry.get("cache.gets").tags("cache", "rerank4j.l1", "result", "miss").functionCounter().count())
                .isEqualTo(3);
        assertThat(registry.get("cache.gets").tags("cache", "rerank4j.l1", "result", "hit").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("cache.size").tags("cache", "rerank4j.l1").gauge().value()).isEqualTo(3);
        // which entry a full Caffeine cache drops is its policy's choice; how many it dropped is not
        MeterRegistry small = new SimpleMeterRegistry();
        CachingScoringModel bounded = CachingScoringModel.builder().delegate(crossEncoder).maximumSize(2).build();
        new ScoreCacheMetrics(bounded).bindTo(small);
        bounded.scoreAll(segments("one", "two", "three"), "q");
        assertThat(small.get("cache.evictions").tags("cache", "rerank4j.l1").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get(RerankMetrics.JOINED).functionCounter().count()).isZero();
        assertThat(registry.find(RerankMetrics.L2_GETS).meters()).as("no shared cache, no L2 meters").isEmpty();
    }
}
