package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelConfig;

/**
 * Forward-pass FLOPs of a decoder LLM reranker (Qwen2/Qwen3 layout) for one prompt of S tokens, multiply-add = 2:
 * <ul>
 *   <li>per layer, projections: Q {@code 2·S·H·(n_h·d)}, K and V {@code 2·2·S·H·(n_kv·d)}, O {@code 2·S·(n_h·d)·H};</li>
 *   <li>per layer, SwiGLU MLP (gate, up, down): {@code 6·S·H·I};</li>
 *   <li>per layer, causal attention scores and context over the S(S+1)/2 visible (query, key) pairs:
 *   {@code 2·n_h·d·S·(S+1)};</li>
 *   <li>once, the LM head at the last token only ({@code 2·H·V}) for causal-LM exports, the work the score needs
 *   (a graph that computes logits at every position does {@code S} times that, counted as waste, not as work);
 *   a seq-cls conversion's one-row head is negligible.</li>
 * </ul>
 * Embeddings, norms, rotary embeddings and softmax are left out, as in {@link BertFlops}.
 */
public record DecoderFlops(int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate, int vocab,
                           boolean lmHead) implements FlopModel {

    public static DecoderFlops of(ModelConfig config) {
        JsonNode raw = config.raw();
        int hidden = config.hiddenSize();
        int heads = config.numAttentionHeads();
        if (config.numHiddenLayers() <= 0 || hidden <= 0 || heads <= 0) {
            throw new IllegalArgumentException("config " + config.file()
                    + " lacks num_hidden_layers/hidden_size/num_attention_heads");
        }
        int kvHeads = raw.path("num_key_value_heads").asInt(heads);
        int headDim = raw.path("head_dim").asInt(hidden / heads);
        boolean causal = config.architectures().stream().anyMatch(a -> a.endsWith("ForCausalLM"));
        return new DecoderFlops(config.numHiddenLayers(), hidden, heads, kvHeads, headDim, config.intermediateSize(),
                config.vocabSize(), causal);
    }

    @Override
    public double forSequence(int tokens) {
        double s = tokens;
        double h = hidden;
        double q = (double) heads * headDim;
        double kv = (double) kvHeads * headDim;
        double projections = 2 * s * h * q + 4 * s * h * kv + 2 * s * q * h;
        double mlp = 6 * s * h * intermediate;
        double attention = 2 * q * s * (s + 1);
        return layers * (projections + mlp + attention) + (lmHead ? 2 * h * vocab : 0);
    }
}
