package dev.rerank4j.crossencoder.runtime.internal;

import java.util.Arrays;

/** A float model output in row-major layout with its shape, e.g. logits {@code [batch, 1]}. */
public record OutputTensor(float[] data, long[] shape) {

    public OutputTensor {
        if (data == null || shape == null) {
            throw new IllegalArgumentException("data and shape cannot be null");
        }
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
        }
    }

    /** Number of values per batch row. */
    public int rowSize() {
        return shape.length == 0 || shape[0] == 0 ? 0 : (int) (data.length / shape[0]);
    }
}
