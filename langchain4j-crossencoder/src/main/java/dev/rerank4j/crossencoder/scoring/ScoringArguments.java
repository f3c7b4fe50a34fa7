package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;

import java.util.List;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/** The argument checks every {@code ScoringModel.scoreAll} in this project makes, with the same messages. */
public final class ScoringArguments {

    private ScoringArguments() {
    }

    /** Rejects a null list, a null query and a null segment, naming it ({@code segments[3]}). */
    public static void requireValid(List<TextSegment> segments, String query) {
        ensureNotNull(segments, "segments");
        ensureNotNull(query, "query");
        for (int i = 0; i < segments.size(); i++) {
            ensureNotNull(segments.get(i), "segments[%s] cannot be null", i);
        }
    }
}
