package dev.rerank4j.colbert.index;

import dev.rerank4j.colbert.TokenVectors;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResidualCodecTest {

    /** Unit vectors around a few directions, like token vectors of related words. */
    private static TokenVectors clustered(Random random, int count, int dim, int clusters) {
        float[][] centers = new float[clusters][dim];
        for (float[] c : centers) {
            for (int k = 0; k < dim; k++) {
                c[k] = (float) random.nextGaussian();
            }
        }
        float[][] out = new float[count][dim];
        for (int i = 0; i < count; i++) {
            float[] c = centers[random.nextInt(clusters)];
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                out[i][k] = c[k] + 0.3f * (float) random.nextGaussian();
                norm += out[i][k] * out[i][k];
            }
            for (int k = 0; k < dim; k++) {
                out[i][k] /= (float) Math.sqrt(norm);
            }
        }
        return TokenVectors.of(out);
    }

    private static double meanCosine(TokenVectors a, TokenVectors b) {
        double sum = 0;
        for (int i = 0; i < a.count(); i++) {
            double dot = 0;
            for (int k = 0; k < a.dim(); k++) {
                dot += a.get(i, k) * b.get(i, k);
            }
            sum += dot;
        }
        return sum / a.count();
    }

    @Test
    void more_bits_reconstruct_vectors_more_closely() {
        float[][] all = clustered(new Random(5), 2300, 64, 16).toArray();
        TokenVectors sample = TokenVectors.of(java.util.Arrays.copyOfRange(all, 0, 2000));
        TokenVectors test = TokenVectors.of(java.util.Arrays.copyOfRange(all, 2000, 2300)); // not trained on
        double oneBit = meanCosine(test, ResidualCodec.train(sample, 16, 1, 5, 1).roundTrip(test));
        double twoBits = meanCosine(test, ResidualCodec.train(sample, 16, 2, 5, 1).roundTrip(test));
        double fourBits = meanCosine(test, ResidualCodec.train(sample, 16, 4, 5, 1).roundTrip(test));
        assertThat(oneBit).isLessThan(twoBits);
        assertThat(twoBits).isLessThan(fourBits);
        assertThat(fourBits).isGreaterThan(0.95).isLessThanOrEqualTo(1.0 + 1e-6);
    }

    @Test
    void vector_size_is_a_centroid_id_plus_packed_bits() {
        TokenVectors sample = clustered(new Random(2), 300, 128, 4);
        assertThat(ResidualCodec.train(sample, 8, 2, 2, 1).bytesPerVector()).isEqualTo(2 + 32);
        assertThat(ResidualCodec.train(sample, 8, 1, 2, 1).bytesPerVector()).isEqualTo(2 + 16);
    }

    @Test
    void rejects_bad_parameters() {
        TokenVectors sample = clustered(new Random(3), 10, 8, 2);
        assertThatThrownBy(() -> ResidualCodec.train(sample, 20, 2, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResidualCodec.train(sample, 4, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResidualCodec.train(sample, 4, 2, 1, 1).roundTrip(TokenVectors.of(new float[][] {{1, 0}})))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
