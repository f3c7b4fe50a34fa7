package dev.rerank4j.eval.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
}
