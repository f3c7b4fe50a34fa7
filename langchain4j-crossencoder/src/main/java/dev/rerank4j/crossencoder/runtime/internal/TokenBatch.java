package dev.rerank4j.crossencoder.runtime.internal;

import java.util.List;

/**
 * One padded batch of token sequences in row-major {@code [batch, sequence]} layout, the shape every BERT-style
 * export takes. Padding positions have id 0 and attention 0.
 */
public final class TokenBatch {

    private final int batchSize;
    private final int sequenceLength;
    private final long[] inputIds;
    private final long[] attentionMask;
    private final long[] tokenTypeIds;
    private final int realTokens;

    private TokenBatch(int batchSize, int sequenceLength, long[] inputIds, long[] attentionMask,
                       long[] tokenTypeIds, int realTokens) {
        this.batchSize = batchSize;
        this.sequenceLength = sequenceLength;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.tokenTypeIds = tokenTypeIds;
        this.realTokens = realTokens;
    }

    /** Pads the given sequences to the longest among them (never to a fixed length). */
    public static TokenBatch of(List<EncodedInput> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        int seq = 0;
        for (EncodedInput row : rows) {
            seq = Math.max(seq, row.length());
        }
        int batch = rows.size();
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        long[] types = new long[batch * seq];
        int real = 0;
        for (int r = 0; r < batch; r++) {
            EncodedInput row = rows.get(r);
            int offset = r * seq;
            int n = row.length();
            System.arraycopy(row.inputIds(), 0, ids, offset, n);
            System.arraycopy(row.attentionMask(), 0, mask, offset, n);
            System.arraycopy(row.tokenTypeIds(), 0, types, offset, n);
            real += n;
        }
        return new TokenBatch(batch, seq, ids, mask, types, real);
    }

    public int batchSize() {
        return batchSize;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public long[] inputIds() {
        return inputIds;
    }

    public long[] attentionMask() {
        return attentionMask;
    }

    public long[] tokenTypeIds() {
        return tokenTypeIds;
    }

    /** Tokens that are not padding. */
    public int realTokens() {
        return realTokens;
    }

    /** Tokens fed to the model, padding included. */
    public int paddedTokens() {
        return batchSize * sequenceLength;
    }

    public long[] shape() {
        return new long[] {batchSize, sequenceLength};
    }
}
