package dev.rerank4j.crossencoder.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups sequences into batches: sorted by length so that rows of similar length share a batch (little padding),
 * at most {@code maxBatchSize} rows, and at most {@code maxBatchTokens} padded tokens per batch. A single sequence
 * longer than the token budget still gets a batch of its own.
 */
public final class BatchPlanner {

    private final int maxBatchSize;
    private final int maxBatchTokens;

    public BatchPlanner(int maxBatchSize, int maxBatchTokens) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + maxBatchSize);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("maxBatchTokens must be >= 1, was " + maxBatchTokens);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
    }

    /** Returns batches as lists of indexes into {@code lengths}; every index appears exactly once. */
    public List<int[]> plan(int[] lengths) {
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        // longest first: the padded width of a batch is then the length of its first row
        java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed().thenComparingInt(i -> i));
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int width = Math.max(1, lengths[order[start]]);
            int rowsByTokens = Math.max(1, maxBatchTokens / width);
            int rows = Math.min(Math.min(maxBatchSize, rowsByTokens), order.length - start);
            int[] batch = new int[rows];
            for (int r = 0; r < rows; r++) {
                batch[r] = order[start + r];
            }
            batches.add(batch);
            start += rows;
        }
        return batches;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }
}
