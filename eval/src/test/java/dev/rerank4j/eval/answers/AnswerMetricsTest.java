package dev.rerank4j.eval.answers;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AnswerMetricsTest {

    @Test
    void normalisation_lowercases_drops_punctuation_and_articles_and_collapses_whitespace() {
        assertThat(SquadNormalizer.normalize("  The  Eiffel-Tower, an ICON! ")).isEqualTo("eiffeltower icon");
        assertThat(SquadNormalizer.normalize("Theatre of a thousand")).isEqualTo("theatre of thousand");
        assertThat(SquadNormalizer.tokens("")).isEmpty();
    }

    @Test
    void answer_is_found_in_the_joined_passages_after_normalisation() {
        List<String> passages = List.of("It opened in 1889.", "The tower is in Paris, France.");
        assertThat(AnswerMetrics.answerInPassages(List.of("the year 1890", "1889"), passages)).isTrue();
        assertThat(AnswerMetrics.answerInPassages(List.of("Paris France"), passages)).isTrue();
        assertThat(AnswerMetrics.answerInPassages(List.of("London"), passages)).isFalse();
        assertThat(AnswerMetrics.answerInPassages(List.of("The"), passages)).as("empty after normalisation").isFalse();
    }

    @Test
    void exact_match_compares_normalised_text_with_the_best_gold_answer() {
        assertThat(AnswerMetrics.exactMatch("The Paris.", List.of("London", "paris"))).isEqualTo(1);
        assertThat(AnswerMetrics.exactMatch("Paris, France", List.of("Paris"))).isEqualTo(0);
    }

    @Test
    void token_f1_is_the_bag_of_tokens_overlap_with_the_best_gold_answer() {
        // prediction "capital paris" vs gold "paris": precision 1/2, recall 1 -> F1 2/3
        assertThat(AnswerMetrics.tokenF1("the capital Paris", List.of("Paris"))).isCloseTo(2.0 / 3, within(1e-12));
        // against "in 1889" the prediction "1889" has precision 1, recall 1/2 -> 2/3; against "1889" it is 1
        assertThat(AnswerMetrics.tokenF1("1889", List.of("in 1889", "1889"))).isCloseTo(1.0, within(1e-12));
        assertThat(AnswerMetrics.tokenF1("Berlin", List.of("Paris"))).isZero();
    }

    @Test
    void null_arguments_are_rejected_with_their_name() {
        assertThatThrownBy(() -> AnswerMetrics.answerInPassages(null, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answers");
        assertThatThrownBy(() -> SquadNormalizer.normalize(null)).hasMessageContaining("text");
    }
}
