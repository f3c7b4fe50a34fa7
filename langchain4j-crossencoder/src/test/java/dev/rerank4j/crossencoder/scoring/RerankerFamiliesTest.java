package dev.rerank4j.crossencoder.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Per-family behaviour beyond the golden cases: over-long input, the max length chosen, truncation modes. */
class RerankerFamiliesTest {

    private static CrossEncoderScoringModel.Builder builder(String model) {
        return CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel(model));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-xlmr-ce", "tiny-xlmr-optimum-ce", "tiny-deberta-v3-ce", "tiny-modernbert-ce",
            "tiny-bert-2label-ce", "tiny-ce"})
    void pair_longer_than_the_position_table_is_truncated_and_scored(String model) {
        String huge = "vitamin bone calcium 😀 東京 ".repeat(4000);   // far more tokens than any position table
        try (CrossEncoderScoringModel scorer = builder(model).build()) {
            Response<List<Double>> response = scorer.scoreAll(
                    List.of(TextSegment.from(huge), TextSegment.from("short passage")), huge);

            assertThat(response.content()).hasSize(2).allSatisfy(s -> assertThat(Double.isFinite(s)).isTrue());
            assertThat(response.metadata().get(CrossEncoderScoringModel.META_TRUNCATED)).isEqualTo(2);
            ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
            assertThat(stats.realTokens()).isEqualTo(2 * scorer.maxLength());
        }
    }

    @Test
    void roberta_family_runs_at_its_full_position_limit_and_refuses_one_token_more() {
        Path dir = TestModels.resourceModel("tiny-xlmr-ce");
        try (CrossEncoderScoringModel scorer = builder("tiny-xlmr-ce").maxLength(512).build()) {
            double[] scores = scorer.scorePassages("q", List.of("bone ".repeat(3000))).scores();
            assertThat(Double.isFinite(scores[0])).isTrue();
        }
        assertThatThrownBy(() -> builder("tiny-xlmr-ce").maxLength(513).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 513").hasMessageContaining("514 - (pad_token_id 1 + 1)");
        assertThat(TestModels.readJson(dir.resolve("config.json")).get("max_length").asInt())
                .as("the fixture carries a generation max_length that must be ignored").isEqualTo(20);
    }

    @Test
    void long_context_model_uses_512_by_default_and_its_full_context_on_request() {
        String passage = "calcium absorption in the gut ".repeat(150);
        try (CrossEncoderScoringModel capped = builder("tiny-modernbert-ce").build();
             CrossEncoderScoringModel full = builder("tiny-modernbert-ce").maxLength(8192).build()) {
            assertThat(capped.maxLength()).isEqualTo(512);
            assertThat(full.maxLength()).isEqualTo(8192);

            ScoringStats cappedStats = capped.scorePassages("vitamin d", List.of(passage)).stats();
            ScoringStats fullStats = full.scorePassages("vitamin d", List.of(passage)).stats();

            assertThat(cappedStats.truncatedPairs()).isEqualTo(1);
            assertThat(fullStats.truncatedPairs()).isZero();
            assertThat(fullStats.realTokens()).isGreaterThan(512);
        }
    }

    @Test
    void truncation_fail_names_the_segment_that_is_too_long() {
        try (CrossEncoderScoringModel scorer = builder("tiny-xlmr-ce").truncation(Truncation.FAIL).build()) {
            assertThat(scorer.scorePassages("q", List.of("fits")).scores()).hasSize(1);

            assertThatThrownBy(() -> scorer.scoreAll(
                    List.of(TextSegment.from("fits"), TextSegment.from("bone ".repeat(1000))), "q"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("segments[1]").hasMessageContaining("maxLength 512");
        }
    }

    @Test
    void longest_first_cuts_the_query_too_while_passage_first_keeps_it_whole() {
        String query = "vitamin d and bone health in older adults ".repeat(20); // ~160 tokens: more than half of 256
        String passage = "calcium absorption in the gut ".repeat(100);
        try (CrossEncoderScoringModel passageFirst = builder("tiny-ce").build();
             CrossEncoderScoringModel longestFirst = builder("tiny-ce").truncation(Truncation.LONGEST_FIRST).build()) {
            int queryTokens = passageFirst.tokenizer().tokenIds(query).length;
            assertThat(queryTokens).isLessThan(passageFirst.maxLength() - 3);

            EncodedInput kept = passageFirst.tokenizer().encodePairs(query, List.of(passage), Truncation.PASSAGE_FIRST).inputs().get(0);
            EncodedInput cut = longestFirst.tokenizer().encodePairs(query, List.of(passage), Truncation.LONGEST_FIRST).inputs().get(0);

            assertThat(firstSegmentLength(kept)).isEqualTo(queryTokens + 2);
            assertThat(firstSegmentLength(cut)).isLessThan(queryTokens + 2);
            assertThat(kept.length()).isEqualTo(cut.length()).isEqualTo(passageFirst.maxLength());
        }
    }

    private static int firstSegmentLength(EncodedInput input) {
        int n = 0;
        while (input.tokenTypeIds()[n] == 0) {
            n++;
        }
        return n;
    }

    @Test
    void the_2_label_classifier_scores_the_last_label_by_default_and_any_label_on_request() {
        Path dir = TestModels.resourceModel("tiny-bert-2label-ce");
        JsonNode first = TestModels.readJson(dir.resolve("golden.json")).get("cases").get(0);
        String query = first.get("query").asText();
        List<String> passage = List.of(first.get("passage").asText());
        double l0 = first.get("logits").get(0).asDouble();
        double l1 = first.get("logits").get(1).asDouble();
        try (CrossEncoderScoringModel byDefault = builder("tiny-bert-2label-ce").build();
             CrossEncoderScoringModel byIndex = builder("tiny-bert-2label-ce").labelIndex(0).build();
             CrossEncoderScoringModel byName = builder("tiny-bert-2label-ce").label("LABEL_0").build();
             CrossEncoderScoringModel normalized = builder("tiny-bert-2label-ce").normalize(true).build()) {
            assertThat(byDefault.scorePassages(query, passage).scores()[0]).isCloseTo(l1, within(1e-4));
            assertThat(byIndex.scorePassages(query, passage).scores()[0]).isCloseTo(l0, within(1e-4));
            assertThat(byName.scorePassages(query, passage).scores()[0]).isCloseTo(l0, within(1e-4));
            assertThat(normalized.scorePassages(query, passage).scores()[0])
                    .isCloseTo(Math.exp(l1) / (Math.exp(l0) + Math.exp(l1)), within(1e-5));
            assertThat(byIndex.modelIdentity()).isNotEqualTo(byDefault.modelIdentity());
        }
    }

    @Test
    void choosing_a_label_the_model_does_not_have_names_the_labels() {
        assertThatThrownBy(() -> builder("tiny-bert-2label-ce").label("relevant").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[LABEL_0, LABEL_1]");
        assertThatThrownBy(() -> builder("tiny-bert-2label-ce").labelIndex(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labelIndex 2");
        assertThatThrownBy(() -> builder("tiny-ce").labelIndex(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single logit");
        assertThatThrownBy(() -> builder("tiny-bert-2label-ce").labelIndex(0).label("LABEL_0").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labelIndex and label");
    }
}
