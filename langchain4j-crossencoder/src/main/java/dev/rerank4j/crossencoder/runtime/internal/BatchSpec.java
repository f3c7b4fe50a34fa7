package dev.rerank4j.crossencoder.runtime.internal;

/**
 * How rows of different lengths become one {@link TokenBatch}: the id written into padding, the side padding goes
 * (encoders pad on the right; decoders that read the last token pad on the left) and the position numbering.
 */
public record BatchSpec(long padTokenId, PaddingSide paddingSide, PositionIds positionIds) {

    /** BERT conventions: pad id 0 on the right, positions 0, 1, 2, ... */
    public static final BatchSpec BERT = new BatchSpec(0, PaddingSide.RIGHT, PositionIds.sequential());

    public BatchSpec {
        if (paddingSide == null || positionIds == null) {
            throw new IllegalArgumentException("paddingSide and positionIds cannot be null");
        }
    }

    public enum PaddingSide { RIGHT, LEFT }
}
