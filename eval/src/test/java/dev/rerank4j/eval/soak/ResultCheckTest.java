package dev.rerank4j.eval.soak;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.rag.FallbackReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ResultCheckTest {

    private static final List<String> PASSAGES = List.of("a", "b", "c", "d");
    private static final double[] SCORES = {0.1, 0.9, 0.5, 0.7};

    private static Content scored(String text, double score) {
        return Content.from(TextSegment.from(text), Map.of(ContentMetadata.RERANKED_SCORE, score));
    }

    @Test
    void a_fully_reranked_result_must_be_the_top_by_sequential_score() {
        assertThat(ResultCheck.check(PASSAGES, SCORES, List.of(scored("b", 0.9), scored("d", 0.7)), Optional.empty(), 2, 1e-4))
                .isEmpty();
        assertThat(ResultCheck.check(PASSAGES, SCORES, List.of(scored("d", 0.7), scored("b", 0.9)), Optional.empty(), 2, 1e-4))
                .get().asString().contains("position 0");
        assertThat(ResultCheck.check(PASSAGES, SCORES, List.of(scored("b", 0.5), scored("d", 0.7)), Optional.empty(), 2, 1e-4))
                .get().asString().contains("score");
        assertThat(ResultCheck.check(PASSAGES, SCORES, List.of(scored("b", 0.9)), Optional.empty(), 2, 1e-4))
                .get().asString().contains("expected 2 results");
    }

    @Test
    void a_fallback_must_be_first_stage_order_or_the_reranked_prefix() {
        List<Content> firstStage = List.of(Content.from("a"), Content.from("b"), Content.from("c"));
        assertThat(ResultCheck.check(PASSAGES, SCORES, firstStage, Optional.of(FallbackReason.SCORING_FAILED), 3, 1e-4))
                .isEmpty();
        List<Content> reordered = List.of(Content.from("b"), Content.from("a"), Content.from("c"));
        assertThat(ResultCheck.check(PASSAGES, SCORES, reordered, Optional.of(FallbackReason.DEADLINE_EXCEEDED), 3, 1e-4))
                .isPresent();
        List<Content> prefix = List.of(scored("b", 0.9), scored("a", 0.1));
        assertThat(ResultCheck.check(PASSAGES, SCORES, prefix, Optional.of(FallbackReason.DEADLINE_PARTIAL), 2, 1e-4))
                .isEmpty();
        List<Content> wrongPrefix = List.of(scored("a", 0.1), scored("b", 0.9));
        assertThat(ResultCheck.check(PASSAGES, SCORES, wrongPrefix, Optional.of(FallbackReason.DEADLINE_PARTIAL), 2, 1e-4))
                .isPresent();
        List<Content> duplicate = List.of(Content.from("a"), Content.from("a"), Content.from("c"));
        assertThat(ResultCheck.check(PASSAGES, SCORES, duplicate, Optional.of(FallbackReason.SCORING_FAILED), 3, 1e-4))
                .get().asString().contains("duplicate");
    }
}
