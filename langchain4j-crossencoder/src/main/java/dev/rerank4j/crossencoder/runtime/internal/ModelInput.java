package dev.rerank4j.crossencoder.runtime.internal;

import java.util.Optional;

/**
 * A model input rerank4j knows how to fill, by its name in Hugging Face / Optimum exports. Which of them a model
 * receives comes from its ONNX graph (the declared inputs) or, for TorchScript, from its {@link ModelFamily}.
 */
public enum ModelInput {
    INPUT_IDS("input_ids"),
    ATTENTION_MASK("attention_mask"),
    TOKEN_TYPE_IDS("token_type_ids"),
    POSITION_IDS("position_ids"),
    /**
     * Per row, the sequence index of the last real token, {@code [batch, 1, 1]}: the input a causal-LM graph gets
     * from {@link LastTokenLogitsCut} (never part of a published export).
     */
    LAST_TOKEN_INDEX(LastTokenLogitsCut.INDEX_INPUT);

    private final String exportName;

    ModelInput(String exportName) {
        this.exportName = exportName;
    }

    /** The name exports give this input, e.g. {@code attention_mask}. */
    public String exportName() {
        return exportName;
    }

    public static Optional<ModelInput> named(String name) {
        for (ModelInput input : values()) {
            if (input.exportName.equals(name)) {
                return Optional.of(input);
            }
        }
        return Optional.empty();
    }

    /** This input's values for a batch, row-major in {@link #shapeFor the input's shape}. */
    public long[] valuesOf(TokenBatch batch) {
        return switch (this) {
            case INPUT_IDS -> batch.inputIds();
            case ATTENTION_MASK -> batch.attentionMask();
            case TOKEN_TYPE_IDS -> batch.tokenTypeIds();
            case POSITION_IDS -> batch.positionIds();
            case LAST_TOKEN_INDEX -> {
                long[] last = new long[batch.batchSize()];
                for (int row = 0; row < last.length; row++) {
                    last[row] = batch.lastTokenIndex(row);
                }
                yield last;
            }
        };
    }

    /** {@code [batch, sequence]}, or {@code [batch, 1, 1]} for {@link #LAST_TOKEN_INDEX}. */
    public long[] shapeFor(TokenBatch batch) {
        return this == LAST_TOKEN_INDEX ? new long[] {batch.batchSize(), 1, 1} : batch.shape();
    }

    @Override
    public String toString() {
        return exportName;
    }
}
