package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;

import java.util.List;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/** Reranks the same number of leading candidates every time. */
public record FixedDepthPolicy(int depth) implements DepthPolicy {

    public FixedDepthPolicy {
        ensureNotNegative(depth, "depth");
    }

    @Override
    public int depth(String query, List<TextSegment> candidates) {
        return Math.min(depth, candidates.size());
    }
}
