package dev.rerank4j.crossencoder.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

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

    /**
     * The default padding bound for batches of {@code engine}: 0 when it fuses attention for unpadded batches (every
     * row then takes the same path, so a score never depends on the rows that share its batch), else
     * {@link #DEFAULT_MAX_PADDING_RATIO}.
     */
    public static double defaultMaxPaddingRatio(InferenceEngine engine) {
        return engine.fusedAttention() ? 0.0 : DEFAULT_MAX_PADDING_RATIO;
    }

    public BatchPlanner(int maxBatchSize, int maxBatchTokens) {
        this(maxBatchSize, maxBatchTokens, DEFAULT_MAX_PADDING_RATIO);
    }

    /** @param maxPaddingRatio in [0, 1]; 1 turns the bound off (batches limited by size and tokens only) */
    public BatchPlanner(int maxBatchSize, int maxBatchTokens, double maxPaddingRatio) {
        if (!(maxPaddingRatio >= 0 && maxPaddingRatio <= 1)) {
            throw new IllegalArgumentException("maxPaddingRatio must be in [0, 1], was " + maxPaddingRatio);
        }
        this.maxPaddingRatio = maxPaddingRatio;
        ensureGreaterThanZero(maxBatchSize, "batchSize");
        ensureGreaterThanZero(maxBatchTokens, "maxBatchTokens");
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
    }

    /** Returns batches as lists of indexes into {@code lengths}; every index appears exactly once. */
    public List<int[]> plan(int[] lengths) {
        int[] order = longestFirst(lengths);
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int rows = rowsFrom(lengths, order, start, maxBatchSize);
            batches.add(Arrays.copyOfRange(order, start, start + rows));
            start += rows;
        }
        return batches;
    }

    /** Indexes of {@code lengths}, longest first (ties in index order): a batch's width is its first row's length. */
    public static int[] longestFirst(int[] lengths) {
        return IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> lengths[i]).reversed().thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * How many rows of {@code order} (longest first), from {@code start} on, make the next batch: at most
     * {@code rowCap} and {@link #maxBatchSize()} rows, within the token budget and the padding bound; at least one.
     */
    public int rowsFrom(int[] lengths, int[] order, int start, int rowCap) {
        int width = Math.max(1, lengths[order[start]]);
        int rows = Math.min(Math.min(Math.min(maxBatchSize, rowCap), rowsFor(width)), order.length - start);
        int minLength = minLengthFor(width);
        for (int r = 1; r < rows; r++) {
            if (lengths[order[start + r]] < minLength) {
                return r;
            }
        }
        return Math.max(1, rows);
    }

    /** Rows a batch of this width may hold: the batch size and the token budget (at least one). */
    public int rowsFor(int width) {
        return Math.max(1, Math.min(maxBatchSize, maxBatchTokens / Math.max(1, width)));
    }

    /** The shortest row that may join a batch of this width without exceeding the padding bound. */
    public int minLengthFor(int width) {
        return (int) Math.ceil(width * (1 - maxPaddingRatio));
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }
}
