package dev.rerank4j.crossencoder.runtime.internal;

import java.util.List;

/**
 * One padded batch of token sequences in row-major {@code [batch, sequence]} layout, the shape every Hugging Face
 * export takes. Padding has the {@link BatchSpec}'s pad id and attention 0, on the spec's side; position ids follow
 * the spec's numbering (fed only to exports that declare {@code position_ids}).
 */
public final class TokenBatch {

    private final int batchSize;
    private final int sequenceLength;
    private final long[] inputIds;
    private final long[] attentionMask;
    private final long[] tokenTypeIds;
    private final long[] positionIds;
    private final int[] lengths;
    private final BatchSpec spec;
    private final int realTokens;

    private TokenBatch(int batchSize, int sequenceLength, long[] inputIds, long[] attentionMask, long[] tokenTypeIds,
                       long[] positionIds, int[] lengths, BatchSpec spec, int realTokens) {
        this.batchSize = batchSize;
        this.sequenceLength = sequenceLength;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.tokenTypeIds = tokenTypeIds;
        this.positionIds = positionIds;
        this.lengths = lengths;
        this.spec = spec;
        this.realTokens = realTokens;
    }

    /** Pads with BERT conventions ({@link BatchSpec#BERT}). */
    public static TokenBatch of(List<EncodedInput> rows) {
        return of(rows, BatchSpec.BERT);
    }

    /** Pads the given sequences to the longest among them (never to a fixed length) as {@code spec} says. */
    public static TokenBatch of(List<EncodedInput> rows, BatchSpec spec) {
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
        int[] lengths = new int[batch];
        java.util.Arrays.fill(ids, spec.padTokenId());
        int real = 0;
        for (int r = 0; r < batch; r++) {
            EncodedInput row = rows.get(r);
            int n = row.length();
            int offset = r * seq + (spec.paddingSide() == BatchSpec.PaddingSide.LEFT ? seq - n : 0);
            System.arraycopy(row.inputIds(), 0, ids, offset, n);
            System.arraycopy(row.attentionMask(), 0, mask, offset, n);
            System.arraycopy(row.tokenTypeIds(), 0, types, offset, n);
            lengths[r] = n;
            real += n;
        }
        long[] positions = spec.positionIds().compute(mask, batch, seq);
        return new TokenBatch(batch, seq, ids, mask, types, positions, lengths, spec, real);
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

    public long[] positionIds() {
        return positionIds;
    }

    public BatchSpec spec() {
        return spec;
    }

    /** Unpadded length of a row. */
    public int length(int row) {
        return lengths[row];
    }

    /** Index along the sequence of a row's last real token (where decoders read their prediction). */
    public int lastTokenIndex(int row) {
        return spec.paddingSide() == BatchSpec.PaddingSide.LEFT ? sequenceLength - 1 : lengths[row] - 1;
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
