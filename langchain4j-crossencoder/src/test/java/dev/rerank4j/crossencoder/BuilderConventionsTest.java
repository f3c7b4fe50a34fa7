package dev.rerank4j.crossencoder;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.RedisScoreCache;
import dev.rerank4j.crossencoder.metrics.MeteredScoringModel;
import dev.rerank4j.crossencoder.model.HuggingFaceDownloader;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.rag.FixedDepthPolicy;
import dev.rerank4j.crossencoder.rag.QdrantStores;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.scoring.ScoringArguments;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One validation style for every builder (LangChain4j's): setters only record, {@code null} means the default, and
 * {@code build()} rejects a bad value with an {@link IllegalArgumentException} naming the option. (The model
 * builders are checked in their own tests.)
 */
class BuilderConventionsTest {

    private static final ScoringModel MODEL = (segments, query) -> Response.from(segments.stream().map(s -> 0.0).toList());

    private static void rejectedByBuild(String option, ThrowingCallable build) {
        assertThatThrownBy(build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
    }

    @Test
    void bad_values_are_named_by_build_not_by_the_setter() {
        rejectedByBuild("timeout", () -> HuggingFaceDownloader.builder().timeout(Duration.ZERO).build());
        rejectedByBuild("hubEndpoint", () -> HuggingFaceDownloader.builder().hubEndpoint("not a url").build());

        rejectedByBuild("maximumSize", () -> CachingScoringModel.builder().delegate(MODEL).modelIdentity("m")
                .maximumSize(-1).build());
        rejectedByBuild("maximumWeightBytes", () -> CachingScoringModel.builder().delegate(MODEL).modelIdentity("m")
                .maximumSize(10).maximumWeightBytes(1000).build());
        rejectedByBuild("expireAfterWrite", () -> CachingScoringModel.builder().delegate(MODEL).modelIdentity("m")
                .expireAfterWrite(Duration.ZERO).build());
        rejectedByBuild("modelIdentity", () -> CachingScoringModel.builder().delegate(MODEL).modelIdentity(" ").build());
        rejectedByBuild("ttl", () -> RedisScoreCache.builder().ttl(Duration.ZERO).build());
        rejectedByBuild("maxConnections", () -> RedisScoreCache.builder().maxConnections(0).build());
        rejectedByBuild("meterRegistry", () -> MeteredScoringModel.builder().delegate(MODEL).build());

        rejectedByBuild("firstStageSize", () -> CascadeContentAggregator.builder().scoringModel(MODEL)
                .firstStageSize(0).build());
        rejectedByBuild("phaseSize", () -> CascadeContentAggregator.builder().scoringModel(MODEL).phaseSize(-1).build());
        rejectedByBuild("rerankDepth", () -> CascadeContentAggregator.builder().scoringModel(MODEL).rerankDepth(-1).build());
        rejectedByBuild("listeners[0]", () -> CascadeContentAggregator.builder().scoringModel(MODEL).listener(null).build());
        rejectedByBuild("minScore", () -> CascadeContentAggregator.builder().scoringModel(MODEL).minScore(Double.NaN).build());

        rejectedByBuild("maxDepth", () -> AdaptiveDepthPolicy.builder().maxDepth(0).build());
        rejectedByBuild("maxPairTokens", () -> AdaptiveDepthPolicy.builder().maxPairTokens(0).build());
        rejectedByBuild("initialNanosPerToken", () -> AdaptiveDepthPolicy.builder().initialNanosPerToken(0.0).build());

        rejectedByBuild("batchSize", () -> DenseIndex.builder().batchSize(0).build());

        rejectedByBuild("collection", () -> QdrantStores.builder().dimension(4).build());
        rejectedByBuild("port", () -> QdrantStores.builder().collection("c").dimension(4).port(70_000).build());
        rejectedByBuild("dimension", () -> QdrantStores.builder().collection("c").dimension(0).build());
    }

    @Test
    void argument_checks_read_as_langchain4j_words_them_whichever_class_throws() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScoringArguments.requireValid(null, "q"))
                .withMessage("segments cannot be null");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ScoringArguments.requireValid(Arrays.asList(TextSegment.from("a"), null), "q"))
                .withMessage("segments[1] cannot be null");
        assertThatIllegalArgumentException().isThrownBy(() -> new Device(Device.Type.CPU, -1))
                .withMessage("device index must not be negative, but is: -1");
        assertThatIllegalArgumentException().isThrownBy(() -> new FixedDepthPolicy(-2))
                .withMessage("depth must not be negative, but is: -2");
        assertThatIllegalArgumentException().isThrownBy(() -> RedisScoreCache.builder().maxConnections(0).build())
                .withMessage("maxConnections must be greater than zero, but is: 0");
        assertThatIllegalArgumentException().isThrownBy(() -> MeteredScoringModel.builder().build())
                .withMessage("delegate cannot be null");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CascadeContentAggregator.builder().scoringModel(MODEL).listener(null).build())
                .withMessage("listeners[0] cannot be null");
    }

    @Test
    void null_means_the_default() {
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(MODEL)
                .rerankDepth(null).firstStageSize(null).maxResults(null).minScore(null).deadline(null).phaseSize(null)
                .failOpen(null).listeners(null).executor(null).querySelector(null).build();
        assertThat(aggregator.deadline()).isEmpty();
        assertThat(aggregator.depthPolicy().depth("q", List.of())).isZero();

        AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().latencyBudget(null).minDepth(null).maxDepth(null)
                .utilization(null).smoothing(null).maxPairTokens(null).initialNanosPerToken(null).build();
        assertThat(policy.minDepth()).isEqualTo(AdaptiveDepthPolicy.DEFAULT_MIN_DEPTH);
        assertThat(policy.maxDepth()).isEqualTo(AdaptiveDepthPolicy.DEFAULT_MAX_DEPTH);
        assertThat(policy.latencyBudget()).contains(AdaptiveDepthPolicy.DEFAULT_BUDGET);

        assertThat(CachingScoringModel.builder().delegate(MODEL).modelIdentity("m").expireAfterWrite(null).ticker(null)
                .build().modelIdentity()).isEqualTo("m");
    }
}
