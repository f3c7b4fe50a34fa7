package dev.rerank4j.examples.chat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RagPipelineSlaTest {

    /** Deliberately slower than the budget. */
    static final class SlowScoringModel implements ScoringModel {
        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                // Cancelled at the deadline: like a real model, produce nothing.
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return Response.from(Collections.nCopies(segments.size(), 1.0));
        }
    }

    @Test
    void a_reranker_slower_than_the_budget_falls_back_to_dense_order_and_says_so() {
        DenseIndex index = DenseIndex.builder().embeddingModel(new AllMiniLmL6V2EmbeddingModel()).showProgress(false).build();
        index.sync(CorpusLoader.builtIn().passages());
        RagPipeline pipeline = new RagPipeline(index, Map.of(RerankerKind.CE, new SlowScoringModel()), 150, 30, 8,
                Duration.ofMillis(50));

        TurnTrace dense = pipeline.begin(RerankerKind.NONE);
        List<String> denseTop = pipeline.retrieve("what is MaxSim?", RerankerKind.NONE).stream().map(RagPipeline::id).toList();
        TurnTrace trace = pipeline.begin(RerankerKind.CE);
        long start = System.nanoTime();
        List<Content> top = pipeline.retrieve("what is MaxSim?", RerankerKind.CE);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
        assertThat(top.stream().map(RagPipeline::id).toList()).isEqualTo(denseTop);
        assertThat(trace.fallback()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(trace.summary()).contains("SLA fallback: DEADLINE_EXCEEDED");
        assertThat(dense.fallback()).isNull();
    }
}
