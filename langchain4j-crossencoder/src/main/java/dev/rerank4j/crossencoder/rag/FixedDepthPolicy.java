package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;

import java.util.List;

/** Reranks the same number of leading candidates every time. */
public record FixedDepthPolicy(int depth) implements DepthPolicy {

    public FixedDepthPolicy {
        if (depth < 0) {
            throw new IllegalArgumentException("depth must be >= 0, was " + depth);
        }
    }

    @Override
    public int depth(String query, List<TextSegment> candidates) {
        return Math.min(depth, candidates.size());
    }
}
