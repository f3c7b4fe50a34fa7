package dev.rerank4j.eval.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@SuppressWarnings("unchecked")
class BenchMathTest {

    @Test
    void bert_flops_count_projections_feed_forward_and_attention() {
        // 1 layer, H=2, I=4, S=3: 8*3*4 + 4*3*2*4 + 4*9*2 = 96 + 96 + 72
        assertThat(new BertFlops(1, 2, 4).forSequence(3)).isEqualTo(264.0);
        assertThat(new BertFlops(6, 2, 4).forSequence(3)).isEqualTo(6 * 264.0);
    }

    @Test
    void decoder_flops_count_gqa_projections_swiglu_causal_attention_and_one_lm_head_row() {
        // 1 layer, H=2, 2 query heads and 1 key/value head of size 1, I=4, V=10, S=3:
        // Q 2*3*2*2 + K,V 4*3*2*1 + O 2*3*2*2 = 72; SwiGLU 6*3*2*4 = 144; causal attention 2*2*3*4 = 48;
        // LM head at the last token 2*2*10 = 40
        assertThat(new DecoderFlops(1, 2, 2, 1, 1, 4, 10, true).forSequence(3)).isEqualTo(304.0);
        assertThat(new DecoderFlops(1, 2, 2, 1, 1, 4, 10, false).forSequence(3)).isEqualTo(264.0);
        assertThat(new DecoderFlops(2, 2, 2, 1, 1, 4, 10, true).forSequence(3)).isEqualTo(2 * 264.0 + 40);
    }

    @Test
    void runner_runs_every_request_once_with_several_clients() throws Exception {
        int[] seen = new int[50];
        ConcurrentRunner.Result result = ConcurrentRunner.run(50, 4, i -> {
            synchronized (seen) {
                seen[i]++;
            }
        });

        assertThat(seen).containsOnly(1);
        assertThat(result.latenciesMs()).hasSize(50);
        assertThat(result.wallSeconds()).isCloseTo(0.0, within(10.0));
    }

    private static Map<String, Object> pass(double pairsPerSecond, double p95) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("pairs_per_s", pairsPerSecond);
        row.put("p95_ms", p95);
        return row;
    }

    @Test
    void ratios_pair_the_passes_that_ran_back_to_back_and_take_the_median() {
        Map<String, Map<Integer, List<Map<String, Object>>>> rows = Map.of(
                "ours", Map.of(1, List.of(pass(10, 100), pass(12, 300), pass(9, 200))),
                "theirs", Map.of(1, List.of(pass(5, 400), pass(8, 500), pass(3, 600))));

        Map<String, Object> ratio = (Map<String, Object>) BenchCeCommand.ratios(rows, "ours", "theirs").get("1");

        assertThat(ratio.get("speedup_by_repeat")).isEqualTo(List.of(2.0, 1.5, 3.0));
        assertThat(ratio.get("speedup")).isEqualTo(2.0);
        assertThat(ratio.get("p95_ms_ours")).isEqualTo(200.0);
        assertThat(ratio.get("p95_ms_theirs")).isEqualTo(500.0);
        assertThat(BenchCeCommand.ratios(rows, "ours", "absent")).isEmpty();
    }

    @Test
    void a_scorers_figures_are_per_metric_medians_with_the_first_concurrency_on_top() {
        Map<Integer, List<Map<String, Object>>> byConcurrency = new LinkedHashMap<>();
        byConcurrency.put(1, List.of(pass(10, 100), pass(14, 300)));
        byConcurrency.put(4, List.of(pass(20, 900), pass(18, 700)));

        Map<String, Object> result = BenchCeCommand.summarise(byConcurrency);

        assertThat(result.get("pairs_per_s")).isEqualTo(12.0);
        assertThat(result.get("p95_ms")).isEqualTo(200.0);
        Map<String, Object> four = (Map<String, Object>) ((Map<String, Object>) result.get("concurrency")).get("4");
        assertThat(four.get("pairs_per_s")).isEqualTo(19.0);
        assertThat(four.get("pairs_per_s_by_repeat")).isEqualTo(List.of(20.0, 18.0));
    }
}
