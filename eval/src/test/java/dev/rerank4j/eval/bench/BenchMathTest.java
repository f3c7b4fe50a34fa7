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
