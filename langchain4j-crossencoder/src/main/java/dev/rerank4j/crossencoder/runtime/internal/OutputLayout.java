package dev.rerank4j.crossencoder.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * What each axis of a model's output is, learnt by running the model at load time (declared ONNX shapes are often
 * all symbolic, and TorchScript declares none): the batch, the sequence, or a fixed size. Cross-encoders output
 * {@code [batch]}, {@code [batch, 1]}, {@code [batch, 1, 1]} (Optimum's bge-reranker exports) or
 * {@code [batch, labels]}; ColBERT {@code [batch, sequence, dim]}; a decoder LM {@code [batch, sequence, vocab]}.
 */
public record OutputLayout(List<Axis> axes) {

    /** One output axis: {@link Kind#BATCH}, {@link Kind#SEQUENCE}, or {@link Kind#FIXED} with its size. */
    public record Axis(Kind kind, long size) {
        public static final Axis BATCH = new Axis(Kind.BATCH, -1);
        public static final Axis SEQUENCE = new Axis(Kind.SEQUENCE, -1);
        public static final Axis VARIABLE = new Axis(Kind.VARIABLE, -1);

        public static Axis fixed(long size) {
            return new Axis(Kind.FIXED, size);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case BATCH -> "batch";
                case SEQUENCE -> "sequence";
                case FIXED -> Long.toString(size);
                case VARIABLE -> "?";
            };
        }
    }

    public enum Kind { BATCH, SEQUENCE, FIXED, VARIABLE }

    public OutputLayout {
        axes = List.copyOf(axes);
    }

    /** Two probe shapes tell the axes apart: {@code (2 rows, 3 tokens)} and {@code (3 rows, 7 tokens)}. */
    static final int[][] PROBES = {{2, 3}, {3, 7}};

    /**
     * Runs the model on the two probe batches and classifies each output axis. Token id 0 (present in every
     * vocabulary) fills the rows; the second row of each probe is one token shorter, so padding is exercised.
     */
    public static OutputLayout probe(BatchSpec spec, Function<TokenBatch, long[]> runForShape) {
        long[][] shapes = new long[PROBES.length][];
        for (int p = 0; p < PROBES.length; p++) {
            shapes[p] = runForShape.apply(probeBatch(PROBES[p][0], PROBES[p][1], spec));
        }
        return classify(shapes[0], shapes[1]);
    }

    static TokenBatch probeBatch(int rows, int tokens, BatchSpec spec) {
        List<EncodedInput> inputs = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            inputs.add(EncodedInput.of(new long[r == 1 ? tokens - 1 : tokens]));
        }
        return TokenBatch.of(inputs, spec);
    }

    static OutputLayout classify(long[] first, long[] second) {
        List<Axis> axes = new ArrayList<>();
        if (first.length != second.length) {
            throw new IllegalStateException("the output rank changes with the input: " + Arrays.toString(first)
                    + " vs " + Arrays.toString(second));
        }
        for (int i = 0; i < first.length; i++) {
            if (first[i] == PROBES[0][0] && second[i] == PROBES[1][0] && i == 0) {
                axes.add(Axis.BATCH);
            } else if (first[i] == PROBES[0][1] && second[i] == PROBES[1][1]) {
                axes.add(Axis.SEQUENCE);
            } else if (first[i] == second[i]) {
                axes.add(Axis.fixed(first[i]));
            } else {
                axes.add(Axis.VARIABLE);
            }
        }
        return new OutputLayout(axes);
    }

    public int rank() {
        return axes.size();
    }

    public boolean batchFirst() {
        return !axes.isEmpty() && axes.get(0).kind() == Kind.BATCH;
    }

    /** True for {@code [batch, fixed...]}: every row yields the same number of values, whatever its length. */
    public boolean fixedPerRow() {
        return batchFirst() && axes.stream().skip(1).allMatch(a -> a.kind() == Kind.FIXED);
    }

    /** Values per row of a {@link #fixedPerRow()} layout (1 for {@code [batch]}, {@code [batch,1]}, {@code [batch,1,1]}). */
    public long valuesPerRow() {
        if (!fixedPerRow()) {
            return -1;
        }
        long n = 1;
        for (Axis axis : axes.subList(1, axes.size())) {
            n *= axis.size();
        }
        return n;
    }

    /** The output shape for a batch, when every axis is known; else null (the runtime allocates the output). */
    public long[] shapeFor(int batchSize, int sequenceLength) {
        long[] shape = new long[axes.size()];
        for (int i = 0; i < shape.length; i++) {
            Axis axis = axes.get(i);
            shape[i] = switch (axis.kind()) {
                case BATCH -> batchSize;
                case SEQUENCE -> sequenceLength;
                case FIXED -> axis.size();
                case VARIABLE -> -1;
            };
            if (shape[i] < 0) {
                return null;
            }
        }
        return shape;
    }

    @Override
    public String toString() {
        return axes.toString();
    }
}
