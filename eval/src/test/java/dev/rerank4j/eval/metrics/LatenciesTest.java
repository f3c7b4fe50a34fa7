package dev.rerank4j.eval.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatenciesTest {

    @Test
    void percentiles_use_the_nearest_rank_of_the_sorted_sample() {
        double[] millis = new double[100];
        for (int i = 0; i < 100; i++) {
            millis[99 - i] = i + 1; // 100..1, unsorted on purpose
        }
        Latencies latencies = Latencies.of(millis);
        assertThat(latencies.p50()).isEqualTo(50);
        assertThat(latencies.p95()).isEqualTo(95);
        assertThat(latencies.p99()).isEqualTo(99);
        assertThat(latencies.mean()).isEqualTo(50.5);
        assertThat(latencies.count()).isEqualTo(100);
    }

    @Test
    void a_small_sample_reports_its_largest_value_as_p99() {
        Latencies latencies = Latencies.of(new double[]{3, 1, 2});
        assertThat(latencies.p50()).isEqualTo(2);
        assertThat(latencies.p99()).isEqualTo(3);
    }

    @Test
    void empty_sample_is_all_zero_and_null_is_rejected() {
        assertThat(Latencies.of(new double[0]).p95()).isZero();
        assertThatThrownBy(() -> Latencies.of(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
