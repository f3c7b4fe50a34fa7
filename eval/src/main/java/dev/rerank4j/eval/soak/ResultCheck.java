package dev.rerank4j.eval.soak;

import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.rag.FallbackReason;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * What a cascade result must be, given scores computed sequentially by the plain model: fully reranked → the top
 * {@code maxResults} by score; a reranked prefix ({@link FallbackReason#DEADLINE_PARTIAL}, or a failure after the
 * first phase) → the first {@code maxResults} candidates by score; any other fallback → first-stage order without
 * scores. Scores may differ
 * from the sequential ones by {@code tolerance} (batch composition changes float rounding), so two candidates whose
 * scores are that close may swap.
 */
final class ResultCheck {

    private ResultCheck() {
    }

    /** A description of what is wrong, or empty when the result is what it must be. */
    static Optional<String> check(List<String> passages, double[] reference, List<Content> result,
                                  Optional<FallbackReason> fallback, int maxResults, double tolerance) {
        Map<String, Double> score = new HashMap<>();
        for (int i = 0; i < passages.size(); i++) {
            score.put(passages.get(i), reference[i]);
        }
        List<String> texts = result.stream().map(c -> c.textSegment().text()).toList();
        int size = Math.min(maxResults, passages.size());
        if (texts.size() != size) {
            return Optional.of("expected " + size + " results, got " + texts.size() + " (" + fallback + ")");
        }
        if (new HashSet<>(texts).size() != texts.size() || !score.keySet().containsAll(texts)) {
            return Optional.of("duplicate or foreign contents in " + texts);
        }
        // A failure after the first phase (the top maxResults) keeps that phase reranked, as DEADLINE_PARTIAL does.
        boolean prefixKept = fallback.isPresent() && (fallback.get() == FallbackReason.DEADLINE_PARTIAL
                || result.get(0).metadata().get(ContentMetadata.RERANKED_SCORE) != null);
        int reranked = fallback.isEmpty() ? passages.size() : prefixKept ? Math.min(maxResults, passages.size()) : 0;
        List<String> expected = expected(passages, reference, reranked, size);
        for (int i = 0; i < size; i++) {
            Object rerankedScore = result.get(i).metadata().get(ContentMetadata.RERANKED_SCORE);
            if (i < Math.min(reranked, size)) {
                if (Math.abs(score.get(texts.get(i)) - score.get(expected.get(i))) > tolerance) {
                    return Optional.of("position " + i + ": '" + texts.get(i) + "' where '" + expected.get(i)
                            + "' belongs (" + fallback + ")");
                }
                if (!(rerankedScore instanceof Double s) || Math.abs(s - score.get(texts.get(i))) > tolerance) {
                    return Optional.of("position " + i + ": score " + rerankedScore + ", sequential "
                            + score.get(texts.get(i)));
                }
            } else if (!texts.get(i).equals(expected.get(i)) || rerankedScore != null) {
                return Optional.of("position " + i + " should be first-stage '" + expected.get(i) + "' unscored ("
                        + fallback + "), got '" + texts.get(i) + "' score " + rerankedScore);
            }
        }
        return Optional.empty();
    }

    /** The first {@code reranked} candidates by score (stable), then the rest in first-stage order. */
    private static List<String> expected(List<String> passages, double[] reference, int reranked, int size) {
        List<String> order = new ArrayList<>(IntStream.range(0, reranked).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> reference[i]).reversed())
                .map(passages::get).toList());
        for (int i = reranked; i < passages.size() && order.size() < size; i++) {
            order.add(passages.get(i));
        }
        return order.subList(0, Math.min(size, order.size()));
    }
}
