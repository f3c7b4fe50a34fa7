package dev.rerank4j.crossencoder.runtime;

/**
 * Scoring or encoding stopped before it finished because it was cancelled, not because the model failed: the
 * calling thread was interrupted (its running ONNX Runtime batch is terminated; the interrupt flag stays set), or
 * the scorer was closed while the call was running. Unchecked; the same call on an open scorer by an uninterrupted
 * thread would succeed.
 *
 * <p>Distinct from {@link InferenceException} (the model failed). A call started after {@code close()} throws
 * {@link IllegalStateException} instead.
 */
public class InferenceCancelledException extends RuntimeException {

    public InferenceCancelledException(String message) {
        super(message);
    }

    public InferenceCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
