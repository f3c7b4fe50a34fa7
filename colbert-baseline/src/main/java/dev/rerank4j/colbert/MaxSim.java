package dev.rerank4j.colbert;

import java.util.Arrays;

/**
 * ColBERT's late-interaction score: for every query vector the largest dot product with any document vector, summed
 * over the query vectors. With L2-normalised vectors the dot product is the cosine.
 *
 * <p>Speed comes from the loop shape, not from a library: the query is transposed once ({@link #prepare}) so that
 * for each document vector the innermost loop is an {@code acc[q] += qT[k][q] * d[k]} update over all query
 * vectors at once, a contiguous multiply-add with no reduction, which HotSpot's C2 compiles to SIMD instructions.
 * Scoring many documents against one query should go through one {@link Prepared}.
 */
public final class MaxSim {

    private MaxSim() {
    }

    /** Scores one document; prepare the query once when scoring several. */
    public static double score(TokenVectors query, TokenVectors document) {
        return prepare(query).score(document);
    }

    /** Scores {@code [queryTokens][dim]} against {@code [docTokens][dim]} arrays. */
    public static double score(float[][] query, float[][] document) {
        if (query == null || document == null) {
            throw new IllegalArgumentException("query and document vectors cannot be null");
        }
        if (document.length == 0) {
            throw new IllegalArgumentException("document has no vectors");
        }
        return score(TokenVectors.of(query), TokenVectors.of(document));
    }

    /** Transposes the query for fast scoring of many documents. */
    public static Prepared prepare(TokenVectors query) {
        if (query == null) {
            throw new IllegalArgumentException("query vectors cannot be null");
        }
        return new Prepared(query);
    }

    /** A query ready to score documents; immutable and thread-safe. */
    public static final class Prepared {

        private final int queryCount;
        private final int dim;
        /** Dimension-major: component k of query vector q at {@code k * queryCount + q}. */
        private final float[] transposed;

        private Prepared(TokenVectors query) {
            this.queryCount = query.count();
            this.dim = query.dim();
            float[] data = query.raw();
            this.transposed = new float[data.length];
            for (int q = 0; q < queryCount; q++) {
                for (int k = 0; k < dim; k++) {
                    transposed[k * queryCount + q] = data[q * dim + k];
                }
            }
        }

        public int queryCount() {
            return queryCount;
        }

        public int dim() {
            return dim;
        }

        public double score(TokenVectors document) {
            if (document == null) {
                throw new IllegalArgumentException("document vectors cannot be null");
            }
            if (document.dim() != dim) {
                throw new IllegalArgumentException("document vectors have dim " + document.dim()
                        + " but the query has dim " + dim);
            }
            if (document.count() == 0) {
                throw new IllegalArgumentException("document has no vectors");
            }
            return score(document.raw(), document.count());
        }

        /** Scores a row-major {@code [count][dim]} array (e.g. decoded straight from an index). */
        public double score(float[] documentData, int documentCount) {
            if (documentCount < 1 || documentData.length < documentCount * dim) {
                throw new IllegalArgumentException("document data holds " + documentData.length / dim
                        + " vectors, expected " + documentCount + " (>= 1)");
            }
            int nq = queryCount;
            float[] best = new float[nq];
            Arrays.fill(best, Float.NEGATIVE_INFINITY);
            float[] acc = new float[nq];
            float[] qt = transposed;
            for (int t = 0; t < documentCount; t++) {
                Arrays.fill(acc, 0f);
                int base = t * dim;
                for (int k = 0; k < dim; k++) {
                    float v = documentData[base + k];
                    int off = k * nq;
                    for (int q = 0; q < nq; q++) {
                        acc[q] += qt[off + q] * v;
                    }
                }
                for (int q = 0; q < nq; q++) {
                    best[q] = acc[q] > best[q] ? acc[q] : best[q];
                }
            }
            double sum = 0;
            for (int q = 0; q < nq; q++) {
                sum += best[q];
            }
            return sum;
        }
    }
}
