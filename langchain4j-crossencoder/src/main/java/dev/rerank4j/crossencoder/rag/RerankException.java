package dev.rerank4j.crossencoder.rag;

/** Thrown by a fail-closed {@link CascadeContentAggregator} when reranking times out or fails. */
public class RerankException extends RuntimeException {

    private final FallbackReason reason;

    public RerankException(FallbackReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FallbackReason reason() {
        return reason;
    }
}
