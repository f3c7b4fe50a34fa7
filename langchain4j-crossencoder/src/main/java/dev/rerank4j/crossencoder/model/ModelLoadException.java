package dev.rerank4j.crossencoder.model;

/**
 * A model directory, file or download could not be used. The message always names the file, directory or URL
 * involved, so a user can fix the problem without reading a stack trace.
 */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
