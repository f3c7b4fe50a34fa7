package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CrossEncoderScoringModelTest {

    private static CrossEncoderScoringModel scorer;

    @BeforeAll
    static void open() {
        scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce"))
                .engine(EngineKind.ONNX)
                .batchSize(4)
                .build();
    }

    @AfterAll
    static void close() {
        scorer.close();
    }

    private static List<TextSegment> segments(String... texts) {
        return Arrays.stream(texts).map(TextSegment::from).toList();
    }

    @Test
    void empty_segment_list_gives_empty_result_without_inference() {
        Response<List<Double>> response = scorer.scoreAll(List.of(), "query");

        assertThat(response.content()).isEmpty();
        ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
        assertThat(stats.batches()).isZero();
        assertThat(response.tokenUsage().inputTokenCount()).isZero();
    }

    @Test
    void null_arguments_are_rejected_with_their_name() {
        assertThatThrownBy(() -> scorer.scoreAll(null, "q"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segments");
        assertThatThrownBy(() -> scorer.scoreAll(segments("a"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        List<TextSegment> withNull = new ArrayList<>(segments("a", "b"));
        withNull.add(1, null);
        assertThatThrownBy(() -> scorer.scoreAll(withNull, "q"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segments[1]");
    }

    @Test
    void returns_one_score_per_segment_in_input_order_whatever_the_batching() {
        List<TextSegment> passages = segments("short", "a somewhat longer passage about vitamin d and bones",
                "medium length passage here", "x", "another passage that is quite a bit longer than the others are",
                "tiny", "mid sized text about statins");
        List<Double> together = scorer.scoreAll(passages, "vitamin d").content();

        assertThat(together).hasSize(passages.size());
        for (int i = 0; i < passages.size(); i++) {
            double alone = scorer.scoreAll(List.of(passages.get(i)), "vitamin d").content().get(0);
            assertThat(together.get(i)).as("passage %d", i).isCloseTo(alone, within(1e-5));
        }
    }

    @Test
    void duplicate_passages_are_computed_once_and_scored_alike() {
        Response<List<Double>> response = scorer.scoreAll(segments("same text", "other", "same text"), "q");

        ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
        assertThat(stats.pairs()).isEqualTo(3);
        assertThat(stats.uniquePairs()).isEqualTo(2);
        assertThat(response.content().get(0)).isEqualTo(response.content().get(2));
    }

    @Test
    void empty_passage_gets_a_score() {
        double[] scores = scorer.scorePassages("statins lower ldl cholesterol", List.of("")).scores();

        assertThat(scores).hasSize(1);
        assertThat(Double.isFinite(scores[0])).isTrue();
    }

    @Test
    void very_long_passage_is_truncated_to_max_length_and_scored() {
        String longPassage = "word ".repeat(20_000);   // 100,000 characters

        Response<List<Double>> response = scorer.scoreAll(segments(longPassage), "query");

        assertThat(response.content()).hasSize(1);
        assertThat(Double.isFinite(response.content().get(0))).isTrue();
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(scorer.maxLength());
    }

    @Test
    void stats_count_the_pairs_cut_to_max_length() {
        Response<List<Double>> response = scorer.scoreAll(
                segments("word ".repeat(2_000), "a short passage", "word ".repeat(3_000), "a short passage"), "query");
        ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
        assertThat(stats.truncatedPairs()).as("two long passages; duplicates counted once").isEqualTo(2);
        assertThat(stats.queueNanos()).isNotNegative();
        ScoringStats none = (ScoringStats) scorer.scoreAll(segments("short"), "q").metadata()
                .get(CrossEncoderScoringModel.META_STATS);
        assertThat(none.truncatedPairs()).isZero();
    }

    @Test
    void unusual_text_is_scored() {
        List<TextSegment> passages = segments("Crème brûlée à la française", "rocket 🚀 launch 😀",
                "control\u0000chars\u0007and\u001Bescapes", "مرحبا بالعالم", "שלום עולם", "\u202Eright-to-left override");

        List<Double> scores = scorer.scoreAll(passages, "naïve café 😀").content();

        assertThat(scores).hasSize(passages.size()).allSatisfy(s -> assertThat(Double.isFinite(s)).isTrue());
    }

    @Test
    void reports_token_usage_of_the_pairs() {
        Response<List<Double>> response = scorer.scoreAll(segments("one two", "three"), "q");

        ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(stats.realTokens()).isPositive();
        assertThat(stats.paddedTokens()).isGreaterThanOrEqualTo(stats.realTokens());
    }

    @Test
    void normalize_applies_a_sigmoid_to_the_logit() {
        double raw = scorer.scoreAll(segments("bone health"), "vitamin d").content().get(0);
        try (CrossEncoderScoringModel normalized = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).normalize(true).build()) {
            double probability = normalized.scoreAll(segments("bone health"), "vitamin d").content().get(0);

            assertThat(probability).isCloseTo(1 / (1 + Math.exp(-raw)), within(1e-6)).isBetween(0.0, 1.0);
        }
    }

    @Test
    void scoring_after_close_throws_illegal_state() {
        CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).build();
        model.close();
        model.close(); // idempotent

        assertThatThrownBy(() -> model.scoreAll(segments("a"), "q"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void max_length_above_the_models_positions_is_rejected() {
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).maxLength(4096).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 4096").hasMessageContaining("max_position_embeddings 512");
    }

    @Test
    void max_length_defaults_to_the_tokenizers_model_max_length() {
        assertThat(scorer.maxLength()).isEqualTo(TestModels.readJson(
                TestModels.resourceModel("tiny-ce").resolve("tokenizer_config.json")).get("model_max_length").asInt());
    }

    @Test
    void invalid_builder_arguments_are_named_by_build() {
        // setters only record; build() checks, before any download
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().maxBatchTokens(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchTokens");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().maxLength(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelId("not a repo id").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelId");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).modelId("org/name").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelDirectory").hasMessageContaining("modelId");
    }

    @Test
    void null_options_mean_the_defaults() {
        try (CrossEncoderScoringModel defaults = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).engine(null).device(null).batchSize(null)
                .maxLength(null).normalize(null).intraOpThreads(null).maxConcurrentRuns(null).build()) {
            assertThat(defaults.maxLength()).isEqualTo(scorer.maxLength());
            assertThat(defaults.normalize()).isFalse();
            assertThat(defaults.scoreAll(segments("bone health"), "vitamin d").content())
                    .containsExactlyElementsOf(scorer.scoreAll(segments("bone health"), "vitamin d").content());
        }
    }
}
