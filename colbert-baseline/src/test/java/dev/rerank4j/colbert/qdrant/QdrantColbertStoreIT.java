package dev.rerank4j.colbert.qdrant;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.crossencoder.testing.TestModels;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Dense prefetch + server-side MaxSim in a real Qdrant (skipped, visibly, where no Docker engine runs). */
@Testcontainers(disabledWithoutDocker = true)
class QdrantColbertStoreIT {

    /** A server at least as new as the multivector format (multi_dense) the 1.17 Java client sends. */
    @Container
    static final QdrantContainer QDRANT = new QdrantContainer("qdrant/qdrant:v1.15.0");

    @Test
    void server_side_maxsim_rerank_of_the_dense_prefetch_matches_local_maxsim() {
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("d1", "Vitamin D promotes calcium absorption and bone mineralization.");
        corpus.put("d2", "Calcium supplements and bone density in older women.");
        corpus.put("d3", "Smoking is the leading cause of lung cancer.");
        corpus.put("d4", "The stock market closed higher on Friday.");
        corpus.put("d5", "Osteoporosis weakens bones and raises fracture risk.");
        corpus.put("d6", "Berlin is the capital of Germany.");
        EmbeddingModel dense = new AllMiniLmL6V2EmbeddingModel();
        try (ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
             QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(QDRANT.getHost(),
                     QDRANT.getMappedPort(6334), false).build())) {
            QdrantColbertStore store = QdrantColbertStore.builder().client(client).collectionName("colbert_test")
                    .embeddingModel(dense).encoder(encoder).firstStageSize(4).maxResults(3).build();
            store.createCollection();
            store.addAll(corpus);

            String query = "how does vitamin d affect bones";
            List<Content> results = store.retrieve(Query.from(query));

            // local reference: dense top 4 by cosine, reranked by MaxSim
            float[] q = dense.embed(query).content().vector();
            List<String> denseTop = corpus.keySet().stream().sorted(Comparator.comparingDouble(
                    (String id) -> -cosine(q, dense.embed(corpus.get(id)).content().vector()))).limit(4).toList();
            MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(query));
            List<String> expected = denseTop.stream().sorted(Comparator.comparingDouble(
                    (String id) -> -prepared.score(encoder.encodeDocument(corpus.get(id))))).limit(3).toList();

            assertThat(results.stream().map(c -> c.textSegment().metadata().getString("id")).toList())
                    .containsExactlyElementsOf(expected);
            for (Content c : results) {
                String id = c.textSegment().metadata().getString("id");
                assertThat(c.textSegment().text()).isEqualTo(corpus.get(id));
                assertThat((Double) c.metadata().get(ContentMetadata.RERANKED_SCORE))
                        .isCloseTo(prepared.score(encoder.encodeDocument(corpus.get(id))), within(1e-3));
            }
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
