package dev.rerank4j.examples.chat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class RagPipelineSlaTest {

    /** Never finishes on its own: a reranker slower than any budget. */
    static final class StuckScoringModel implements ScoringModel {
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // Cancelled at the deadline: like a real model, produce nothing.
                Thread.currentThread().interrupt();
                throw new InferenceCancelledException("interrupted", e);
            }
            return Response.from(Collections.nCopies(segments.size(), 1.0));
        }
    }

    @Test
    void a_reranker_slower_than_the_budget_falls_back_to_dense_order_and_says_so() {
        DenseIndex index = DenseIndex.builder().embeddingModel(new AllMiniLmL6V2EmbeddingModel()).showProgress(false).build();
        index.sync(CorpusLoader.builtIn().passages());
        RagPipeline pipeline = new RagPipeline(index, Map.of(RerankerKind.CE, new StuckScoringModel()), 150, 30, 8,
                Duration.ofMillis(50));

        TurnTrace dense = pipeline.begin(RerankerKind.NONE);
        List<String> denseTop = pipeline.retrieve("what is MaxSim?", RerankerKind.NONE).stream().map(RagPipeline::id).toList();
        TurnTrace trace = pipeline.begin(RerankerKind.CE);
        // returns at all only because of the 50 ms deadline: the reranker never finishes
        List<Content> top = pipeline.retrieve("what is MaxSim?", RerankerKind.CE);

        assertThat(top.stream().map(RagPipeline::id).toList()).isEqualTo(denseTop);
        assertThat(trace.fallback()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(trace.summary()).contains("SLA fallback: DEADLINE_EXCEEDED");
        assertThat(dense.fallback()).isNull();
    }
}
