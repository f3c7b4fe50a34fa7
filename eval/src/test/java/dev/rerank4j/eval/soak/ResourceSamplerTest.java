package dev.rerank4j.eval.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceSamplerTest {

    private static final long MB = 1024 * 1024;

    private static List<ResourceSampler.Sample> samples(int n, IntToLongFunction rss, IntToLongFunction committed) {
        List<ResourceSampler.Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            samples.add(new ResourceSampler.Sample(i * 100L, 100 * MB, committed.applyAsLong(i), rss.applyAsLong(i)));
        }
        return samples;
    }

    @Test
    void steady_growth_outside_the_heap_is_a_suspected_leak() {
        var summary = ResourceSampler.summarize(samples(40, i -> 500 * MB + i * 5 * MB, i -> 256 * MB), 64 * MB, true);
        assertThat(summary.judgedGrowth()).isEqualTo(100 * MB);
        assertThat(summary.leakSuspected()).isTrue();
    }

    @Test
    void a_flat_run_with_one_spike_and_a_warm_up_is_not() {
        var summary = ResourceSampler.summarize(samples(40, i -> i < 10 ? 300 * MB + i * 20 * MB : i == 35 ? 900 * MB : 500 * MB,
                i -> 256 * MB), 64 * MB, true);
        assertThat(summary.judgedGrowth()).isZero();
        assertThat(summary.leakSuspected()).isFalse();
        assertThat(summary.rssPeak()).isEqualTo(900 * MB);
    }

    @Test
    void with_a_pretouched_heap_heap_growth_is_not_counted_without_it_it_is() {
        List<ResourceSampler.Sample> heapGrows = samples(40, i -> 400 * MB + i * 5 * MB, i -> 200 * MB + i * 5 * MB);
        assertThat(ResourceSampler.summarize(heapGrows, 64 * MB, true).leakSuspected()).isFalse();
        assertThat(ResourceSampler.summarize(heapGrows, 64 * MB, false).leakSuspected()).isTrue();
    }

    @Test
    void the_running_sampler_reads_this_processes_rss() throws InterruptedException {
        try (ResourceSampler sampler = new ResourceSampler(10)) {
            Thread.sleep(60);
            sampler.close();
            assertThat(sampler.samples().size()).isGreaterThanOrEqualTo(3);
            assertThat(sampler.samples()).allSatisfy(s -> assertThat(s.rss()).isPositive());
        }
        assertThat(ResourceSampler.residentSetBytes()).isGreaterThan(10 * MB);
    }
}
