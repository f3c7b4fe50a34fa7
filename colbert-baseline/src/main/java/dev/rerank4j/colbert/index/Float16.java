package dev.rerank4j.colbert.index;

/**
 * IEEE 754 half precision (binary16) conversion for Java 17, which lacks {@code Float.floatToFloat16}.
 * Encoding rounds to nearest, ties to even, with subnormals, infinities and NaN; decoding uses a 64K table
 * because the index decodes millions of values per query.
 */
public final class Float16 {

    private static final float[] TABLE = new float[1 << 16];

    static {
        for (int h = 0; h < TABLE.length; h++) {
            TABLE[h] = decode(h);
        }
    }

    private Float16() {
    }

    /** The float a binary16 bit pattern stands for (exact). */
    public static float toFloat(short bits) {
        return TABLE[bits & 0xffff];
    }

    private static float decode(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float value = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24, exact in float
            return sign != 0 ? -value : value;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** The nearest binary16 value (ties to even); overflow gives infinity. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            // infinity stays infinity; NaN keeps a quiet NaN payload bit
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int halfExp = exp - 127 + 15;
        if (halfExp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        int significand;
        int shift;
        if (halfExp <= 0) {
            // subnormal half: shift the significand (with its implicit 1) further right
            if (halfExp < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            significand = mant | 0x800000;
            shift = 14 - halfExp;
            halfExp = 0;
        } else {
            significand = mant;
            shift = 13;
        }
        int result = significand >>> shift;
        int remainder = significand & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (result & 1) != 0)) {
            result++; // may carry into the exponent, which is the correct rounding up
        }
        return (short) (sign | ((halfExp << 10) + result));
    }
}
