package dev.rerank4j.crossencoder.runtime.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups sequences into batches: sorted by length so that rows of similar length share a batch (little padding),
 * at most {@code maxBatchSize} rows, at most {@code maxBatchTokens} padded tokens per batch, and no row padded by
 * more than {@code maxPaddingRatio} of the batch width (a shorter row starts a new batch: a few more, smaller
 * matrix products cost less than computing on padding). A single sequence longer than the token budget still gets a
 * batch of its own.
 */
public final class BatchPlanner {

    /** Default bound on one row's padding, as a share of its batch's width. */
    public static final double DEFAULT_MAX_PADDING_RATIO = 0.1;

    private final int maxBatchSize;
    private final int maxBatchTokens;
    private final double maxPaddingRatio;

    public BatchPlanner(int maxBatchSize, int maxBatchTokens) {
        this(maxBatchSize, maxBatchTokens, DEFAULT_MAX_PADDING_RATIO);
    }

    /** @param maxPaddingRatio in [0, 1]; 1 turns the bound off (batches limited by size and tokens only) */
    public BatchPlanner(int maxBatchSize, int maxBatchTokens, double maxPaddingRatio) {
        if (!(maxPaddingRatio >= 0 && maxPaddingRatio <= 1)) {
            throw new IllegalArgumentException("maxPaddingRatio must be in [0, 1], was " + maxPaddingRatio);
        }
        this.maxPaddingRatio = maxPaddingRatio;
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
            int minLength = (int) Math.ceil(width * (1 - maxPaddingRatio));
            for (int r = 1; r < rows; r++) {
                if (lengths[order[start + r]] < minLength) {
                    rows = r;
                    break;
                }
            }
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
