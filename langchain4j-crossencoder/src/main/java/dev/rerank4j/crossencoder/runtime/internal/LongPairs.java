package dev.rerank4j.crossencoder.runtime.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

/**
 * {@code longest_first} for a pair whose two texts are both long, without Hugging Face's cost. The tokenizers
 * library returns every overflowing window of a truncated pair, and for a pair those are all combinations of the
 * two texts' windows: a 100,000-character query with a 100,000-character passage takes minutes and gigabytes.
 * The library's pair encoding is: each text tokenised alone, each cut to its kept length ({@code truncation.rs}),
 * then the template. Here the same happens in that order: each text is tokenised alone (linear), the kept lengths
 * are computed with the library's rule, the pair is encoded from the texts cut near those lengths (to get the
 * template's special tokens and type ids) and each text's region is replaced by exactly its first kept tokens.
 */
final class LongPairs {

    private LongPairs() {
    }

    /** Tokens kept of (first, second) by Hugging Face's {@code longest_first} within {@code budget} tokens. */
    static int[] longestFirst(int first, int second, int budget) {
        if (first + second <= budget) {
            return new int[] {first, second};
        }
        int n1 = Math.min(first, second);
        int n2 = Math.max(first, second);
        boolean swap = first > second;
        n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
        if (n1 + n2 > budget) {
            n1 = budget / 2;
            n2 = n1 + budget % 2;
        }
        return swap ? new int[] {Math.min(first, n2), Math.min(second, n1)}
                : new int[] {Math.min(first, n1), Math.min(second, n2)};
    }

    /** {@code text} up to the end of its {@code keep}-th token (the whole text when nothing is cut). */
    static String cut(String text, Encoding alone, int keep) {
        if (keep >= alone.getIds().length) {
            return text;
        }
        if (keep == 0) {
            return "";
        }
        CharSpan span = alone.getCharTokenSpans()[keep - 1]; // in code points
        int codePoints = Math.min(span.getEnd(), text.codePointCount(0, text.length()));
        return text.substring(0, text.offsetByCodePoints(0, codePoints));
    }

    /**
     * The pair encoding with each text's region ({@code getSequenceIds()} 0 and 1) replaced by the first
     * {@code keep[i]} tokens of that text encoded alone; null if a region to fill is missing from {@code pair}.
     */
    static EncodedInput splice(Encoding pair, Encoding first, Encoding second, int[] keep) {
        long[] sequence = pair.getSequenceIds();
        long[] ids = pair.getIds();
        long[] types = pair.getTypeIds();
        Encoding[] alone = {first, second};
        boolean[] emitted = new boolean[2];
        int length = ids.length;
        for (int side = 0; side < 2; side++) {
            int present = 0;
            for (long s : sequence) {
                present += s == side ? 1 : 0;
            }
            if (present == 0 && keep[side] > 0) {
                return null;
            }
            length += keep[side] - present;
        }
        long[] outIds = new long[length];
        long[] outTypes = new long[length];
        int o = 0;
        for (int i = 0; i < ids.length; i++) {
            int side = (int) sequence[i];
            if (side < 0 || side > 1) {
                outIds[o] = ids[i];
                outTypes[o++] = types[i];
            } else if (!emitted[side]) {
                emitted[side] = true;
                long[] tokens = alone[side].getIds();
                for (int t = 0; t < keep[side]; t++) {
                    outIds[o] = tokens[t];
                    outTypes[o++] = types[i];
                }
            }
        }
        long[] mask = new long[length];
        java.util.Arrays.fill(mask, 1L);
        return new EncodedInput(outIds, mask, outTypes);
    }
}
