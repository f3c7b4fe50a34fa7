package dev.rerank4j.crossencoder.runtime.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchPlannerTest {

    @Test
    void every_sequence_lands_in_exactly_one_batch_sorted_by_length() {
        int[] lengths = {10, 200, 35, 200, 12, 90, 91, 5};
        List<int[]> batches = new BatchPlanner(3, 10_000).plan(lengths);

        int[] all = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, lengths.length).toArray());
        assertThat(batches).allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(3));
        int[] flattenedLengths = batches.stream().flatMapToInt(Arrays::stream).map(i -> lengths[i]).toArray();
        for (int i = 1; i < flattenedLengths.length; i++) {
            assertThat(flattenedLengths[i]).isLessThanOrEqualTo(flattenedLengths[i - 1]);
        }
    }

    @Test
    void padded_tokens_per_batch_stay_within_the_budget() {
        int[] lengths = {100, 100, 100, 100, 50, 50, 50, 50, 50};
        List<int[]> batches = new BatchPlanner(32, 200).plan(lengths);

        for (int[] batch : batches) {
            int width = Arrays.stream(batch).map(i -> lengths[i]).max().orElseThrow();
            assertThat(width * batch.length).isLessThanOrEqualTo(200);
        }
    }

    @Test
    void a_row_much_shorter_than_the_batch_width_starts_a_new_batch() {
        int[] lengths = {500, 480, 460, 300, 290, 100};
        List<int[]> batches = new BatchPlanner(32, 100_000, 0.1).plan(lengths);

        assertThat(batches).hasSize(3);
        assertThat(batches.get(0)).containsExactly(0, 1, 2);
        assertThat(batches.get(1)).containsExactly(3, 4);
        assertThat(batches.get(2)).containsExactly(5);
        assertThat(new BatchPlanner(32, 100_000, 1.0).plan(lengths)).hasSize(1);
    }

    @Test
    void a_sequence_longer_than_the_budget_gets_its_own_batch() {
        List<int[]> batches = new BatchPlanner(8, 64).plan(new int[] {512, 10});

        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly(0);
    }

    @Test
    void rejects_non_positive_limits() {
        assertThatThrownBy(() -> new BatchPlanner(0, 10)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> new BatchPlanner(1, 0)).hasMessageContaining("maxBatchTokens");
        assertThatThrownBy(() -> new BatchPlanner(1, 1, 1.5)).hasMessageContaining("maxPaddingRatio");
    }
}
