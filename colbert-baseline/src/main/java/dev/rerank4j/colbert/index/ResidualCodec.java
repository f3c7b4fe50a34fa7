package dev.rerank4j.colbert.index;

import dev.rerank4j.colbert.TokenVectors;

import java.util.Arrays;
import java.util.Random;

/**
 * ColBERTv2-style residual compression, evaluated but not yet a file encoding: each vector becomes the id of its
 * nearest centroid (k-means over a sample) plus its residual quantised to {@code bits} bits per component with
 * shared bucket cutoffs (quantiles of all residual components) and bucket values (bucket means). Decoding adds the
 * bucket values to the centroid and re-normalises. With 128 dims, 2 bits and 2-byte ids that is 34 bytes a vector
 * against 256 for float16. the eval harness (module eval) measures its ranking cost.
 */
public final class ResidualCodec {

    private final int dim;
    private final int bits;
    private final float[] centroids;
    private final int centroidCount;
    private final float[] cutoffs;
    private final float[] bucketValues;

    private ResidualCodec(int dim, int bits, float[] centroids, float[] cutoffs, float[] bucketValues) {
        this.dim = dim;
        this.bits = bits;
        this.centroids = centroids;
        this.centroidCount = centroids.length / dim;
        this.cutoffs = cutoffs;
        this.bucketValues = bucketValues;
    }

    /** Trains centroids (Lloyd's k-means, fixed seed) and residual buckets on sample vectors. */
    public static ResidualCodec train(TokenVectors sample, int centroidCount, int bits, int iterations, long seed) {
        if (sample == null || sample.count() < centroidCount) {
            throw new IllegalArgumentException("need at least centroidCount (" + centroidCount + ") sample vectors");
        }
        if (centroidCount < 1 || centroidCount > 1 << 16) {
            throw new IllegalArgumentException("centroidCount must be in [1, 65536], was " + centroidCount);
        }
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be in [1, 8], was " + bits);
        }
        int dim = sample.dim();
        int n = sample.count();
        float[] data = sample.toFlatArray();
        float[] centroids = new float[centroidCount * dim];
        Random random = new Random(seed);
        int[] order = random.ints(0, n).distinct().limit(centroidCount).toArray();
        for (int c = 0; c < centroidCount; c++) {
            System.arraycopy(data, order[c] * dim, centroids, c * dim, dim);
        }
        int[] assignment = new int[n];
        for (int it = 0; it < iterations; it++) {
            for (int i = 0; i < n; i++) {
                assignment[i] = nearest(centroids, centroidCount, data, i * dim, dim);
            }
            float[] sums = new float[centroids.length];
            int[] counts = new int[centroidCount];
            for (int i = 0; i < n; i++) {
                int c = assignment[i];
                counts[c]++;
                for (int k = 0; k < dim; k++) {
                    sums[c * dim + k] += data[i * dim + k];
                }
            }
            for (int c = 0; c < centroidCount; c++) {
                if (counts[c] > 0) {
                    normalise(sums, c * dim, dim); // centroids of unit vectors, kept on the sphere as ColBERTv2 does
                    System.arraycopy(sums, c * dim, centroids, c * dim, dim);
                }
            }
        }
        float[] residuals = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int c = nearest(centroids, centroidCount, data, i * dim, dim);
            for (int k = 0; k < dim; k++) {
                residuals[i * dim + k] = data[i * dim + k] - centroids[c * dim + k];
            }
        }
        float[] sorted = residuals.clone();
        Arrays.sort(sorted);
        int buckets = 1 << bits;
        float[] cutoffs = new float[buckets - 1];
        for (int b = 1; b < buckets; b++) {
            cutoffs[b - 1] = sorted[(int) ((long) sorted.length * b / buckets)];
        }
        float[] values = new float[buckets];
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) sorted.length * b / buckets);
            int to = (int) ((long) sorted.length * (b + 1) / buckets);
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += sorted[i];
            }
            values[b] = to > from ? (float) (sum / (to - from)) : 0f;
        }
        return new ResidualCodec(dim, bits, centroids, cutoffs, values);
    }

    /** Bytes one vector takes: a 2-byte centroid id plus the packed residual. */
    public int bytesPerVector() {
        return 2 + (dim * bits + 7) / 8;
    }

    /** Compresses and decompresses vectors (what a reader of a residual index would see). */
    public TokenVectors roundTrip(TokenVectors vectors) {
        if (vectors.dim() != dim) {
            throw new IllegalArgumentException("vectors have dim " + vectors.dim() + ", codec dim " + dim);
        }
        float[] data = vectors.toFlatArray();
        float[] out = new float[data.length];
        for (int i = 0; i < vectors.count(); i++) {
            int base = i * dim;
            int c = nearest(centroids, centroidCount, data, base, dim);
            for (int k = 0; k < dim; k++) {
                float residual = data[base + k] - centroids[c * dim + k];
                int bucket = 0;
                while (bucket < cutoffs.length && residual >= cutoffs[bucket]) {
                    bucket++;
                }
                out[base + k] = centroids[c * dim + k] + bucketValues[bucket];
            }
            normalise(out, base, dim);
        }
        return TokenVectors.wrap(out, dim);
    }

    private static int nearest(float[] centroids, int count, float[] data, int offset, int dim) {
        int best = 0;
        float bestDot = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            int cb = c * dim;
            float dot = 0;
            for (int k = 0; k < dim; k++) {
                dot += centroids[cb + k] * data[offset + k];
            }
            if (dot > bestDot) {
                bestDot = dot;
                best = c;
            }
        }
        return best;
    }

    private static void normalise(float[] v, int offset, int dim) {
        double norm = 0;
        for (int k = 0; k < dim; k++) {
            norm += (double) v[offset + k] * v[offset + k];
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < dim; k++) {
                v[offset + k] *= inv;
            }
        }
    }
}
