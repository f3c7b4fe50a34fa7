package dev.rerank4j.eval.bench;

import dev.rerank4j.crossencoder.model.ModelConfig;

/**
 * Forward-pass FLOPs of a BERT encoder for a sequence of S tokens: per layer the Q/K/V and output projections
 * (8·S·H²), the feed-forward block (4·S·H·I) and attention scores and context (4·S²·H); multiply-add = 2 FLOPs.
 * Embeddings, layer norms, softmax and the classifier head are negligible and left out.
 */
public record BertFlops(int layers, int hidden, int intermediate) implements FlopModel {

    public static BertFlops of(ModelConfig config) {
        if (config.numHiddenLayers() <= 0 || config.hiddenSize() <= 0) {
            throw new IllegalArgumentException("config " + config.file() + " lacks num_hidden_layers/hidden_size");
        }
        return new BertFlops(config.numHiddenLayers(), config.hiddenSize(), config.intermediateSize());
    }

    @Override
    public double forSequence(int tokens) {
        double s = tokens;
        double h = hidden;
        return layers * (8 * s * h * h + 4 * s * h * intermediate + 4 * s * s * h);
    }
}
