package dev.rerank4j.colbert;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MaxSimTest {

    /** The definition, written as plainly as possible, in double precision. */
    static double naiveMaxSim(float[][] query, float[][] doc) {
        double total = 0;
        for (float[] q : query) {
            double best = Double.NEGATIVE_INFINITY;
            for (float[] d : doc) {
                double dot = 0;
                for (int k = 0; k < q.length; k++) {
                    dot += (double) q[k] * d[k];
                }
                best = Math.max(best, dot);
            }
            total += best;
        }
        return total;
    }

    static float[][] randomUnitVectors(Random random, int count, int dim) {
        float[][] out = new float[count][dim];
        for (float[] v : out) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                v[k] = (float) random.nextGaussian();
                norm += v[k] * v[k];
            }
            for (int k = 0; k < dim; k++) {
                v[k] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    @Test
    void fast_maxsim_equals_the_naive_definition_on_random_shapes() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int dim = 1 + random.nextInt(160);
            float[][] query = randomUnitVectors(random, 1 + random.nextInt(40), dim);
            float[][] doc = randomUnitVectors(random, 1 + random.nextInt(200), dim);
            double expected = naiveMaxSim(query, doc);
            assertThat(MaxSim.score(query, doc)).as("trial %d", trial).isCloseTo(expected, within(1e-4 * query.length));
        }
    }

    @Test
    void prepared_query_scores_many_documents_like_single_calls() {
        Random random = new Random(11);
        float[][] query = randomUnitVectors(random, 32, 128);
        MaxSim.Prepared prepared = MaxSim.prepare(TokenVectors.of(query));
        for (int d = 0; d < 20; d++) {
            float[][] doc = randomUnitVectors(random, 5 + d * 7, 128);
            assertThat(prepared.score(TokenVectors.of(doc))).isCloseTo(naiveMaxSim(query, doc), within(1e-4));
        }
    }

    @Test
    void best_match_is_taken_per_query_vector_and_summed() {
        float[][] query = {{1, 0}, {0, 1}};
        float[][] doc = {{1, 0}, {0.6f, 0.8f}, {-1, 0}};
        // q0: max(1, 0.6, -1) = 1; q1: max(0, 0.8, 0) = 0.8
        assertThat(MaxSim.score(query, doc)).isCloseTo(1.8, within(1e-6));
    }

    @Test
    void rejects_mismatched_dimensions_and_empty_documents() {
        TokenVectors query = TokenVectors.of(new float[][] {{1, 0}});
        assertThatThrownBy(() -> MaxSim.score(query, TokenVectors.of(new float[][] {{1, 0, 0}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dim");
        assertThatThrownBy(() -> MaxSim.score(new float[][] {{1, 0}}, new float[0][]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no vectors");
        assertThatThrownBy(() -> MaxSim.prepare(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
