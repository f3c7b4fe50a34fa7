package dev.rerank4j.crossencoder.runtime;

/**
 * The model failed while running: the runtime reported an error, or the output does not have the shape the scorer
 * needs. The message names the model file. Unchecked; retrying with the same input gives the same failure.
 *
 * <p>Distinct from {@link InferenceCancelledException}, which means the work was stopped on purpose.
 */
public class InferenceException extends RuntimeException {

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
