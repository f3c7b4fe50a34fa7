package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.qdrant.QdrantEmbeddingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dense first stage over a real Qdrant (skipped, visibly, where no Docker engine runs). */
@Testcontainers(disabledWithoutDocker = true)
class QdrantDenseIndexIT {

    private static final String API_KEY = "test-key";

    @Container
    static final QdrantContainer QDRANT = new QdrantContainer("qdrant/qdrant:v1.13.4").withApiKey(API_KEY);

    @TempDir
    Path dir;

    @Test
    void creates_the_missing_collection_and_syncs_documents_incrementally() {
        EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        List<Document> docs = List.of(
                Document.from("Cats purr when they are content.", Metadata.from(Map.of("id", "cats"))),
                Document.from("Iron oxidises to rust in water.", Metadata.from(Map.of("id", "rust"))));
        Path manifest = dir.resolve("qdrant.manifest.json");
        QdrantEmbeddingStore store = newStore(model);
        try {
            DenseIndex index = DenseIndex.builder().embeddingModel(model).embeddingStore(store)
                    .manifestFile(manifest).showProgress(false).build();
            assertThat(index.sync(docs)).isEqualTo(new IngestReport(2, 0, 0, 0));
            assertThat(index.search("an animal that purrs", 1).get(0).embedded().metadata().getString("id"))
                    .isEqualTo("cats");
        } finally {
            store.close();
        }
        // A restart finds the collection and the manifest: only the removal is work.
        QdrantEmbeddingStore reopened = newStore(model);
        try {
            DenseIndex index = DenseIndex.builder().embeddingModel(model).embeddingStore(reopened)
                    .manifestFile(manifest).showProgress(false).build();
            assertThat(index.sync(docs.subList(1, 2))).isEqualTo(new IngestReport(0, 0, 1, 1));
            assertThat(index.search("anything", 10)).hasSize(1);
        } finally {
            reopened.close();
        }
    }

    private static QdrantEmbeddingStore newStore(EmbeddingModel model) {
        return QdrantStores.builder().host(QDRANT.getHost()).port(QDRANT.getGrpcPort()).apiKey(API_KEY)
                .collection("docs").embeddingModel(model).build();
    }
}
