package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;

import java.util.List;

/**
 * Runs a transformer on padded token batches. Implementations are thread-safe; {@link #close()} releases
 * native sessions and must not race with {@link #run(TokenBatch)} ({@link ModelLifecycle} guards that). Batches
 * must be padded with {@code signature().batch()}. {@link #run} throws {@link InferenceCancelledException} when the
 * calling thread is interrupted or the runs were cancelled, and {@link InferenceException} when the runtime fails.
 */
public interface InferenceEngine extends AutoCloseable {

    /** Runs one batch and returns the selected output (e.g. {@code logits} or {@code token_embeddings}). */
    OutputTensor run(TokenBatch batch);

    /**
     * Stops this engine's work for good: runs in progress end early where the runtime can (ONNX Runtime's terminate
     * flag; a PyTorch forward pass finishes its batch) and every later {@link #run} throws
     * {@link InferenceCancelledException}. Returns at once; {@link #close()} still has to follow.
     */
    void cancelRuns();

    /** Model inputs the engine feeds, in the model's order. */
    List<String> inputNames();

    /** Inputs, padding, positions and output layout, resolved when the engine opened (output probed then). */
    ModelSignature signature();

    /** A short description for logs and benchmark reports, e.g. {@code onnxruntime 1.22.0 (cpu)}. */
    String description();

    /**
     * True when the graph runs a fused attention kernel for unpadded batches and the exported operators for padded
     * ones ({@link AttentionFusion}): the two differ in float rounding, so batches should stay unpadded.
     */
    default boolean fusedAttention() {
        return false;
    }

    Device device();

    @Override
    void close();
}
