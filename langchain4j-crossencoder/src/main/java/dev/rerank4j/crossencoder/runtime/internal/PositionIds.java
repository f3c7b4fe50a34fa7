package dev.rerank4j.crossencoder.runtime.internal;

/**
 * How a family numbers token positions. Fed as {@code position_ids} when an export declares that input; the
 * same rule decides how many tokens a pair may have ({@link ModelFamily#positionLimit}). Inputs are row-major
 * {@code [batch, sequence]} attention masks; the result has the same layout.
 */
@FunctionalInterface
public interface PositionIds {

    long[] compute(long[] attentionMask, int batchSize, int sequenceLength);

    /** BERT, DeBERTa, ModernBERT: 0, 1, 2, ... along each row, padding included (what their PyTorch code does). */
    static PositionIds sequential() {
        return (mask, batch, seq) -> {
            long[] positions = new long[batch * seq];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i % seq;
            }
            return positions;
        };
    }

    /**
     * RoBERTa / XLM-RoBERTa: real tokens count from {@code padTokenId + 1}, padding gets {@code padTokenId}
     * ({@code create_position_ids_from_input_ids}); so a table of {@code max_position_embeddings} rows holds
     * {@code max_position_embeddings - (padTokenId + 1)} tokens.
     */
    static PositionIds offsetPastPadding(long padTokenId) {
        return (mask, batch, seq) -> countAttended(mask, batch, seq, padTokenId, padTokenId);
    }

    /**
     * Decoders: attended tokens count from 0 whatever the padding side; padding gets 1 (Hugging Face's
     * {@code attention_mask.cumsum(-1) - 1} then {@code masked_fill(mask == 0, 1)}).
     */
    static PositionIds countingAttended() {
        return (mask, batch, seq) -> countAttended(mask, batch, seq, -1, 1);
    }

    /** Per row: the n-th attended token gets {@code offset + n} (n from 1), padding gets {@code padding}. */
    private static long[] countAttended(long[] mask, int batch, int seq, long offset, long padding) {
        long[] positions = new long[batch * seq];
        for (int r = 0; r < batch; r++) {
            long count = 0;
            for (int c = 0; c < seq; c++) {
                int i = r * seq + c;
                count += mask[i];
                positions[i] = mask[i] != 0 ? offset + count : padding;
            }
        }
        return positions;
    }
}
