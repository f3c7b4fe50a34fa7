package dev.rerank4j.colbert;

import java.util.Arrays;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The token vectors of one query or document: {@code count} vectors of {@code dim} floats in one contiguous
 * row-major array (vector {@code i} starts at {@code i * dim}), the layout MaxSim reads fastest.
 * Immutable: factories copy or take ownership of the array, and accessors return copies.
 */
public final class TokenVectors {

    private final float[] data;
    private final int count;
    private final int dim;

    private TokenVectors(float[] data, int count, int dim) {
        this.data = data;
        this.count = count;
        this.dim = dim;
    }

    /** Copies a {@code [count][dim]} array; every row must have the same length. */
    public static TokenVectors of(float[][] vectors) {
        ensureNotNull(vectors, "vectors");
        if (vectors.length == 0) {
            throw new IllegalArgumentException("vectors cannot be empty (the dimension would be unknown)");
        }
        int dim = vectors[0].length;
        float[] data = new float[vectors.length * dim];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] == null || vectors[i].length != dim) {
                throw new IllegalArgumentException("vectors[" + i + "] has length "
                        + (vectors[i] == null ? "null" : vectors[i].length) + "; expected " + dim);
            }
            System.arraycopy(vectors[i], 0, data, i * dim, dim);
        }
        return new TokenVectors(data, vectors.length, dim);
    }

    /**
     * Wraps a row-major array without copying: the caller hands the array over and must not modify it afterwards
     * (used by the encoder and the index, which build a fresh array per call).
     */
    public static TokenVectors wrap(float[] data, int dim) {
        ensureNotNull(data, "data");
        if (dim < 1 || data.length % dim != 0) {
            throw new IllegalArgumentException("data length " + data.length + " is not a multiple of dim " + dim);
        }
        return new TokenVectors(data, data.length / dim, dim);
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }

    /** Component {@code k} of vector {@code i}. */
    public float get(int i, int k) {
        if (i < 0 || i >= count || k < 0 || k >= dim) {
            throw new IndexOutOfBoundsException("(" + i + ", " + k + ") outside [" + count + ", " + dim + "]");
        }
        return data[i * dim + k];
    }

    /** A copy of vector {@code i}. */
    public float[] vector(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("vector " + i + " outside [0, " + count + ")");
        }
        return Arrays.copyOfRange(data, i * dim, (i + 1) * dim);
    }

    /** A {@code [count][dim]} copy. */
    public float[][] toArray() {
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = vector(i);
        }
        return out;
    }

    /** A copy of the row-major data. */
    public float[] toFlatArray() {
        return data.clone();
    }

    /** The backing array, read-only by contract; for MaxSim and the index in this module. */
    float[] raw() {
        return data;
    }

    @Override
    public String toString() {
        return "TokenVectors[" + count + " x " + dim + "]";
    }
}
