package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import java.util.List;

/**
 * Runs a transformer on padded token batches. Implementations are thread-safe; {@link #close()} releases
 * native sessions and must not race with {@link #run(TokenBatch)} (the scoring models guard that). Batches must be
 * padded with {@code signature().batch()}.
 */
public interface InferenceEngine extends AutoCloseable {

    /** Runs one batch and returns the selected output (e.g. {@code logits} or {@code token_embeddings}). */
    OutputTensor run(TokenBatch batch);

    /** Model inputs the engine feeds, in the model's order. */
    List<String> inputNames();

    /** Inputs, padding, positions and output layout, resolved when the engine opened (output probed then). */
    ModelSignature signature();

    /** A short description for logs and benchmark reports, e.g. {@code onnxruntime 1.22.0 (cpu)}. */
    String description();

    Device device();

    @Override
    void close();
}
