package dev.rerank4j.examples.chat;

import java.util.Locale;

/** Which second stage orders the dense candidates: the cross-encoder, ColBERT, or nothing (dense order). */
public enum RerankerKind {
    CE("cross-encoder"),
    COLBERT("ColBERT"),
    NONE("dense only");

    private final String label;

    RerankerKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static RerankerKind parse(String value) {
        if (value != null) {
            for (RerankerKind kind : values()) {
                if (kind.option().equalsIgnoreCase(value.strip())) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException("unknown reranker '" + value + "': use ce, colbert or none");
    }
}
