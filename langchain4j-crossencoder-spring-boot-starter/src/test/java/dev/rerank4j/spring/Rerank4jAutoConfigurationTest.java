package dev.rerank4j.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.RedisScoreCache;
import dev.rerank4j.crossencoder.cache.ScoreKey;
import dev.rerank4j.crossencoder.cache.SharedScoreCache;
import dev.rerank4j.crossencoder.metrics.MeteredScoringModel;
import dev.rerank4j.crossencoder.metrics.RerankMetrics;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.testkit.RedisServerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties → beans, conditions and failures of the auto-configuration, with the real tiny cross-encoder. */
class Rerank4jAutoConfigurationTest {

    private static final String MODEL = "rerank4j.scoring-model.model-directory=" + TestModels.resourceModel("tiny-ce");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(Rerank4jAutoConfiguration.class,
                    Rerank4jMetricsAutoConfiguration.class, Rerank4jScoringAutoConfiguration.class));

    private static List<TextSegment> segments(int n) {
        return IntStream.range(0, n).mapToObj(i -> TextSegment.from("candidate passage " + i)).toList();
    }

    private static List<Content> contents(int n) {
        return segments(n).stream().map(Content::from).toList();
    }

    @Test
    void nothing_is_created_until_a_model_is_configured() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ScoringModel.class).doesNotHaveBean(ContentAggregator.class);
            assertThat(context).hasSingleBean(Rerank4jProperties.class);
        });
    }

    @Test
    void properties_give_a_cached_scorer_and_a_cascade() {
        runner.withPropertyValues(MODEL, "rerank4j.scoring-model.max-length=64", "rerank4j.scoring-model.batch-size=4",
                "rerank4j.cache.maximum-size=500", "rerank4j.cascade.max-results=3", "rerank4j.cascade.rerank-depth=10")
                .run(context -> {
                    CrossEncoderScoringModel crossEncoder = context.getBean(CrossEncoderScoringModel.class);
                    assertThat(crossEncoder.maxLength()).isEqualTo(64);
                    ScoringModel scorer = context.getBean(ScoringModel.class);
                    assertThat(scorer).isInstanceOf(CachingScoringModel.class);
                    assertThat(((CachingScoringModel) scorer).delegate()).isSameAs(crossEncoder);
                    assertThat(scorer.scoreAll(segments(5), "q").content())
                            .containsExactlyElementsOf(crossEncoder.scoreAll(segments(5), "q").content());
                    assertThat(scorer.scoreAll(segments(5), "q").metadata())
                            .containsEntry(CachingScoringModel.META_CACHE_HITS, 5);

                    CascadeContentAggregator cascade = context.getBean(CascadeContentAggregator.class);
                    assertThat(context.getBean(ContentAggregator.class)).isSameAs(cascade);
                    List<Content> top = cascade.rerank("q", contents(12));
                    assertThat(top).hasSize(3);
                    assertThat(cascade.depthPolicy().depth("q", segments(12))).isEqualTo(10);
                    assertThat(cascade.deadline()).isEmpty();
                });
    }

    @Test
    void attention_fusion_is_on_by_default_and_the_property_turns_it_off() {
        runner.withPropertyValues(MODEL).run(context -> assertThat(context.getBean(CrossEncoderScoringModel.class)
                .engineDescription()).contains("attention fused"));
        runner.withPropertyValues(MODEL, "rerank4j.scoring-model.attention-fusion=false").run(context ->
                assertThat(context.getBean(CrossEncoderScoringModel.class).engineDescription())
                        .doesNotContain("attention fused"));
    }

    @Test
    void without_the_cache_the_scorer_is_the_cross_encoder() {
        runner.withPropertyValues(MODEL, "rerank4j.cache.enabled=false").run(context ->
                assertThat(context.getBean(ScoringModel.class)).isSameAs(context.getBean(CrossEncoderScoringModel.class)));
    }

    @Test
    void a_latency_budget_makes_the_depth_adaptive_with_that_deadline() {
        runner.withPropertyValues(MODEL, "rerank4j.cascade.latency-budget=150ms", "rerank4j.cascade.min-depth=4",
                "rerank4j.cascade.rerank-depth=20").run(context -> {
                    CascadeContentAggregator cascade = context.getBean(CascadeContentAggregator.class);
                    assertThat(cascade.depthPolicy()).isInstanceOf(AdaptiveDepthPolicy.class);
                    AdaptiveDepthPolicy policy = (AdaptiveDepthPolicy) cascade.depthPolicy();
                    assertThat(policy.minDepth()).isEqualTo(4);
                    assertThat(policy.maxDepth()).isEqualTo(20);
                    assertThat(cascade.deadline()).contains(Duration.ofMillis(150));
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnScoringModel {
        @Bean
        ScoringModel myScoringModel() {
            return (segments, query) -> Response.from(segments.stream().map(s -> (double) s.text().length()).toList());
        }
    }

    @Test
    void a_users_scoring_model_wins_and_the_cascade_uses_it() {
        runner.withPropertyValues(MODEL).withUserConfiguration(OwnScoringModel.class).run(context -> {
            assertThat(context).doesNotHaveBean(CrossEncoderScoringModel.class);
            assertThat(context).hasSingleBean(ScoringModel.class).hasBean("myScoringModel");
            List<Content> top = context.getBean(CascadeContentAggregator.class).rerank("q",
                    List.of(Content.from("short"), Content.from("the longest text"), Content.from("medium text")));
            assertThat(top).extracting(c -> c.textSegment().text())
                    .containsExactly("the longest text", "medium text", "short");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCrossEncoder {
        @Bean
        CrossEncoderScoringModel myCrossEncoder() {
            return CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce")).maxLength(32).build();
        }
    }

    @Test
    void a_users_cross_encoder_gets_the_cache_in_front() {
        runner.withUserConfiguration(OwnCrossEncoder.class).run(context -> {
            assertThat(context).hasSingleBean(CrossEncoderScoringModel.class);
            ScoringModel scorer = context.getBean(ScoringModel.class);
            assertThat(((CachingScoringModel) scorer).delegate()).isSameAs(context.getBean("myCrossEncoder"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnAggregator {
        @Bean
        ContentAggregator myAggregator() {
            return queryToContents -> List.of();
        }
    }

    @Test
    void a_users_content_aggregator_wins() {
        runner.withPropertyValues(MODEL).withUserConfiguration(OwnAggregator.class).run(context -> {
            assertThat(context).hasSingleBean(ContentAggregator.class).hasBean("myAggregator");
            assertThat(context).doesNotHaveBean(CascadeContentAggregator.class);
        });
    }

    @Test
    void the_cross_encoder_is_closed_with_the_context() {
        List<CrossEncoderScoringModel> seen = new ArrayList<>();
        runner.withPropertyValues(MODEL).run(context -> seen.add(context.getBean(CrossEncoderScoringModel.class)));
        assertThatThrownBy(() -> seen.get(0).scoreAll(segments(1), "q"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "rerank4j.scoring-model.batch-size | 0",
            "rerank4j.scoring-model.max-length | 2",
            "rerank4j.scoring-model.max-length | 100000",
            "rerank4j.scoring-model.device | tpu:1",
            "rerank4j.scoring-model.intra-op-threads | -1",
            "rerank4j.scoring-model.batch-size | many",
            "rerank4j.scoring-model.onnx-file | onnx/missing.onnx",
            "rerank4j.cache.maximum-size | -5",
            "rerank4j.cache.expire-after-write | 0s",
            "rerank4j.cache.redis.ttl | -1s",
            "rerank4j.cache.redis.uri | http://localhost:6379",
            "rerank4j.cascade.max-results | 0",
            "rerank4j.cascade.first-stage-size | 0",
            "rerank4j.cascade.latency-budget | 0ms",
    })
    void a_bad_value_stops_startup_naming_the_property(String property, String value) {
        runner.withPropertyValues(MODEL, property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            assertThat(failingProperty(context.getStartupFailure())).isEqualTo(property);
        });
    }

    @Test
    void a_relative_model_directory_is_a_plain_file_system_path() throws Exception {
        Path relative = Path.of("").toAbsolutePath().relativize(TestModels.resourceModel("tiny-ce"));
        assertThat(relative.toString()).startsWith("..");
        runner.withPropertyValues("rerank4j.scoring-model.model-directory=" + relative).run(context ->
                assertThat(context).hasSingleBean(CrossEncoderScoringModel.class));
    }

    @Test
    void contradicting_settings_name_the_property() {
        runner.withPropertyValues(MODEL, "rerank4j.scoring-model.model-id=org/model").run(context ->
                assertThat(failingProperty(context.getStartupFailure())).isEqualTo("rerank4j.scoring-model.model-directory"));
        runner.withPropertyValues("rerank4j.scoring-model.model-directory=/no/such/folder").run(context ->
                assertThat(failingProperty(context.getStartupFailure())).isEqualTo("rerank4j.scoring-model.model-directory"));
        runner.withPropertyValues(MODEL, "rerank4j.cascade.latency-budget=100ms", "rerank4j.cascade.rerank-depth=5",
                "rerank4j.cascade.min-depth=8").run(context ->
                assertThat(failingProperty(context.getStartupFailure())).isEqualTo("rerank4j.cascade.min-depth"));
    }

    /** The property a startup failure names: from Boot's binder or from our validation. */
    private static String failingProperty(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationPropertyValueException invalid) {
                return invalid.getName();
            }
            if (t instanceof BindException bind) {
                return bind.getProperty() != null ? bind.getProperty().getName().toString() : bind.getName().toString();
            }
        }
        throw new AssertionError("no failure naming a property", failure);
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void with_a_meter_registry_the_scorer_cache_and_cascade_are_metered() {
        runner.withPropertyValues(MODEL).withUserConfiguration(Registry.class).run(context -> {
            ScoringModel scorer = context.getBean(ScoringModel.class);
            assertThat(scorer).isInstanceOf(MeteredScoringModel.class);
            context.getBean(CascadeContentAggregator.class).rerank("q", contents(10));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            String folder = TestModels.resourceModel("tiny-ce").getFileName().toString(); // default model name
            assertThat(registry.get(RerankMetrics.OPERATION_DURATION).tag("gen_ai.request.model", folder).timer().count())
                    .isEqualTo(1);
            assertThat(registry.get(RerankMetrics.CASCADE_DURATION).timer().count()).isEqualTo(1);
            assertThat(registry.get("cache.gets").tags("cache", RerankMetrics.L1_CACHE_NAME, "result", "miss")
                    .functionCounter().count()).isEqualTo(10);
        });
        runner.withPropertyValues(MODEL, "rerank4j.metrics.enabled=false").withUserConfiguration(Registry.class)
                .run(context -> assertThat(context.getBean(ScoringModel.class)).isInstanceOf(CachingScoringModel.class));
    }

    @Test
    void two_applications_share_scores_through_redis_and_close_their_clients() {
        try (RedisServerProcess redis = RedisServerProcess.startOrSkip()) {
            ApplicationContextRunner replica = runner.withPropertyValues(MODEL, "rerank4j.cache.redis.enabled=true",
                    "rerank4j.cache.redis.uri=" + redis.uri(), "rerank4j.cache.redis.key-prefix=spring-test:");
            List<RedisScoreCache> caches = new ArrayList<>();
            replica.run(context -> {
                caches.add(context.getBean(RedisScoreCache.class));
                assertThat(context.getBean(SharedScoreCache.class)).isSameAs(caches.get(0));
                context.getBean(ScoringModel.class).scoreAll(segments(6), "q");
            });
            replica.run(context -> {
                CachingScoringModel scorer = (CachingScoringModel) context.getBean(ScoringModel.class);
                assertThat(scorer.scoreAll(segments(6), "q").metadata())
                        .containsEntry(CachingScoringModel.META_SHARED_CACHE_HITS, 6);
            });
            RedisScoreCache closed = caches.get(0);
            assertThat(closed.stats().writes()).isEqualTo(6);
            assertThat(closed.getAll(List.of(ScoreKey.of("model", "q", "p")))).as("its client was closed").isEmpty();
            assertThat(closed.stats().readErrors()).isEqualTo(1);
        }
    }

    @Test
    void redis_enabled_without_jedis_on_the_class_path_says_what_is_missing() {
        runner.withPropertyValues(MODEL, "rerank4j.cache.redis.enabled=true")
                .withClassLoader(new FilteredClassLoader("redis.clients.jedis"))
                .run(context -> {
                    assertThat(failingProperty(context.getStartupFailure())).isEqualTo("rerank4j.cache.redis.enabled");
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("redis.clients:jedis");
                });
    }

    @Test
    void configuration_metadata_lists_every_documented_property() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        List<String> names = new ArrayList<>();
        metadata.get("properties").forEach(p -> names.add(p.get("name").asText()));
        assertThat(names).contains("rerank4j.scoring-model.model-id", "rerank4j.scoring-model.model-directory",
                "rerank4j.scoring-model.onnx-file", "rerank4j.scoring-model.device", "rerank4j.scoring-model.max-length",
                "rerank4j.scoring-model.batch-size", "rerank4j.scoring-model.normalize", "rerank4j.cache.enabled",
                "rerank4j.cache.maximum-size", "rerank4j.cache.redis.uri", "rerank4j.cache.redis.ttl",
                "rerank4j.cascade.first-stage-size", "rerank4j.cascade.rerank-depth", "rerank4j.cascade.max-results",
                "rerank4j.cascade.latency-budget", "rerank4j.cascade.fail-open");
        metadata.get("properties").forEach(p ->
                assertThat(p.path("description").asText()).as("description of " + p.get("name")).isNotBlank());
    }
}
