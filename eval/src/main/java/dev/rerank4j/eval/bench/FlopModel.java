package dev.rerank4j.eval.bench;

import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;

/** Forward-pass FLOPs of one scored pair of a given length: the "useful work" bench-ce divides by wall time. */
public interface FlopModel {

    double forSequence(int tokens);

    /** {@link DecoderFlops} for decoder LLM rerankers, {@link BertFlops} for encoders. */
    static FlopModel of(ModelDirectory directory) {
        return ModelFamily.of(directory.config()).decoder() ? DecoderFlops.of(directory.config())
                : BertFlops.of(directory.config());
    }
}
