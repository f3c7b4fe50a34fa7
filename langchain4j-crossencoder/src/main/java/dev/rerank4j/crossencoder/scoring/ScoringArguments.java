package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;

import java.util.List;

/** The argument checks every {@code ScoringModel.scoreAll} in this project makes, with the same messages. */
public final class ScoringArguments {

    private ScoringArguments() {
    }

    /** Rejects a null list, a null query and a null segment, naming it ({@code segments[3]}). */
    public static void requireValid(List<TextSegment> segments, String query) {
        if (segments == null) {
            throw new IllegalArgumentException("segments cannot be null");
        }
        if (query == null) {
            throw new IllegalArgumentException("query cannot be null");
        }
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i) == null) {
                throw new IllegalArgumentException("segments[" + i + "] cannot be null");
            }
        }
    }
}
