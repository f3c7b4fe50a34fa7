package dev.rerank4j.eval.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RankingMetricsTest {

    // a: grade 2, b and d: grade 1, c: judged not relevant (0); x is unjudged
    private static final Map<String, Integer> QRELS = Map.of("a", 2, "b", 1, "c", 0, "d", 1);
    private static final List<String> RANKING = List.of("c", "a", "x", "b", "d");

    @Test
    void ndcg_uses_graded_gains_log2_discount_and_the_ideal_from_the_qrels() {
        // DCG = 2/log2(3) + 1/log2(5) + 1/log2(6) = 2.079394; IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 3.130930
        assertThat(RankingMetrics.ndcg(RANKING, QRELS, 10)).isCloseTo(0.664144, within(1e-6));
    }

    @Test
    void ndcg_cuts_both_the_ranking_and_the_ideal_at_k() {
        // DCG@2 = 2/log2(3) = 1.261860; IDCG@2 = 2 + 1/log2(3) = 2.630930
        assertThat(RankingMetrics.ndcg(RANKING, QRELS, 2)).isCloseTo(0.479625, within(1e-6));
    }

    @Test
    void ndcg_is_one_for_the_ideal_ranking_and_zero_without_relevant_hits() {
        assertThat(RankingMetrics.ndcg(List.of("a", "b", "d"), QRELS, 10)).isCloseTo(1.0, within(1e-12));
        assertThat(RankingMetrics.ndcg(List.of("c", "x"), QRELS, 10)).isZero();
    }

    @Test
    void a_duplicate_document_counts_once() {
        assertThat(RankingMetrics.ndcg(List.of("a", "a", "b", "d"), QRELS, 10)).isCloseTo(1.0, within(1e-12));
        assertThat(RankingMetrics.precision(List.of("a", "a"), QRELS, 5)).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void mrr_is_the_reciprocal_rank_of_the_first_relevant_document_within_k() {
        assertThat(RankingMetrics.mrr(RANKING, QRELS, 10)).isCloseTo(0.5, within(1e-12));
        assertThat(RankingMetrics.mrr(RANKING, QRELS, 1)).isZero();
    }

    @Test
    void recall_counts_relevant_documents_in_the_top_k_over_all_relevant() {
        assertThat(RankingMetrics.recall(RANKING, QRELS, 3)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(RankingMetrics.recall(RANKING, QRELS, 100)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void precision_divides_by_k_even_when_fewer_documents_were_retrieved() {
        assertThat(RankingMetrics.precision(RANKING, QRELS, 5)).isCloseTo(0.6, within(1e-12));
        assertThat(RankingMetrics.precision(List.of("a"), QRELS, 5)).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void queries_with_only_non_relevant_judgements_have_no_relevant_document() {
        assertThat(RankingMetrics.hasRelevant(Map.of("c", 0))).isFalse();
        assertThat(RankingMetrics.hasRelevant(QRELS)).isTrue();
    }

    @Test
    void rejects_null_arguments_and_non_positive_k() {
        assertThatThrownBy(() -> RankingMetrics.ndcg(null, QRELS, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranking");
        assertThatThrownBy(() -> RankingMetrics.mrr(RANKING, null, 10)).hasMessageContaining("judgements");
        assertThatThrownBy(() -> RankingMetrics.recall(RANKING, QRELS, 0)).hasMessageContaining("k must be");
    }
}
