package dev.rerank4j.crossencoder.runtime.internal;

import java.util.Arrays;

/**
 * One tokenised model input (no padding): token ids, attention mask and token type ids of equal length.
 * Arrays are owned by this object; callers must not modify them.
 */
public record EncodedInput(long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {

    public EncodedInput {
        if (inputIds == null || attentionMask == null || tokenTypeIds == null) {
            throw new IllegalArgumentException("inputIds, attentionMask and tokenTypeIds cannot be null");
        }
        if (inputIds.length != attentionMask.length || inputIds.length != tokenTypeIds.length) {
            throw new IllegalArgumentException("inputIds, attentionMask and tokenTypeIds must have equal length");
        }
    }

    /** An input with every token attended and token type 0. */
    public static EncodedInput of(long[] inputIds) {
        long[] mask = new long[inputIds.length];
        Arrays.fill(mask, 1L);
        return new EncodedInput(inputIds, mask, new long[inputIds.length]);
    }

    public int length() {
        return inputIds.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedInput other
                && Arrays.equals(inputIds, other.inputIds)
                && Arrays.equals(attentionMask, other.attentionMask)
                && Arrays.equals(tokenTypeIds, other.tokenTypeIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(inputIds) + Arrays.hashCode(attentionMask)) + Arrays.hashCode(tokenTypeIds);
    }

    @Override
    public String toString() {
        return "EncodedInput" + Arrays.toString(inputIds);
    }
}
