package dev.rerank4j.colbert.index;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Float16Test {

    @Test
    void every_half_value_survives_a_round_trip() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float value = Float16.toFloat((short) bits);
            if (Float.isNaN(value)) {
                assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(value)))).isTrue();
                continue;
            }
            assertThat(Float16.fromFloat(value) & 0xffff).as("bits %04x (%s)", bits, value).isEqualTo(bits);
        }
    }

    @Test
    void encoding_picks_the_nearest_half_with_ties_to_even() {
        Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(40) - 28));
            short h = Float16.fromFloat(x);
            float y = Float16.toFloat(h);
            if (Float.isInfinite(y)) {
                assertThat(Math.abs(x)).isGreaterThanOrEqualTo(65520f);
                continue;
            }
            float up = Float16.toFloat((short) (h + 1));
            float down = Float16.toFloat((short) (h - 1));
            double error = Math.abs((double) y - x);
            // no neighbouring half is closer (same sign neighbours; ties resolved to an even significand)
            if (!Float.isNaN(up) && Math.signum(up) == Math.signum(y)) {
                assertThat(error).as("x=%s", x).isLessThanOrEqualTo(Math.abs((double) up - x));
            }
            if (!Float.isNaN(down) && Math.signum(down) == Math.signum(y) && (h & 0x7fff) != 0) {
                assertThat(error).as("x=%s", x).isLessThanOrEqualTo(Math.abs((double) down - x));
            }
        }
    }

    @Test
    void halfway_cases_round_to_even_and_extremes_saturate() {
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: the even significand (1.0) wins
        assertThat(Float16.toFloat(Float16.fromFloat(1f + 0x1p-11f))).isEqualTo(1f);
        // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 and 1 + 2^-9: rounds up to the even 1 + 2^-9
        assertThat(Float16.toFloat(Float16.fromFloat(1f + 3 * 0x1p-11f))).isEqualTo(1f + 0x1p-9f);
        assertThat(Float16.toFloat(Float16.fromFloat(65504f))).isEqualTo(65504f);
        assertThat(Float16.toFloat(Float16.fromFloat(70000f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.toFloat(Float16.fromFloat(-0x1p-24f))).isEqualTo(-0x1p-24f);
        assertThat(Float16.toFloat(Float16.fromFloat(0x1p-26f))).isEqualTo(0f);
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
    }
}
