package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DenseIndexTest {

    private static EmbeddingModel miniLm;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadModel() {
        miniLm = new AllMiniLmL6V2EmbeddingModel();
    }

    /** The real model, counting how many segments it embeds. */
    static final class CountingEmbeddingModel implements EmbeddingModel {
        final AtomicInteger embedded = new AtomicInteger();

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            embedded.addAndGet(segments.size());
            return miniLm.embedAll(segments);
        }

        @Override
        public int dimension() {
            return miniLm.dimension();
        }
    }

    private static Document doc(String id, String text) {
        return Document.from(text, Metadata.from(Map.of("id", id, "title", "T" + id)));
    }

    private static final List<Document> DOCS = List.of(
            doc("cats", "Cats are small domesticated carnivorous mammals that purr."),
            doc("rust", "Iron rusts when exposed to oxygen and water, forming iron oxide."),
            doc("jvm", "The Java virtual machine runs bytecode with a just-in-time compiler."));

    @Test
    void restart_loads_the_persisted_store_without_embedding_again() {
        Path file = dir.resolve("index/store.json");
        CountingEmbeddingModel first = new CountingEmbeddingModel();
        DenseIndex index = DenseIndex.builder().embeddingModel(first).storeFile(file).showProgress(false).build();
        assertThat(index.sync(DOCS)).isEqualTo(new IngestReport(3, 0, 0, 0));
        assertThat(first.embedded).hasValue(3);
        assertThat(file).exists();
        assertThat(DenseIndex.manifestFor(file)).exists();

        CountingEmbeddingModel second = new CountingEmbeddingModel();
        DenseIndex restarted = DenseIndex.builder().embeddingModel(second).storeFile(file).showProgress(false).build();
        assertThat(restarted.size()).isEqualTo(3);
        assertThat(restarted.sync(DOCS)).isEqualTo(new IngestReport(0, 0, 0, 3));
        assertThat(second.embedded).hasValue(0);
        assertThat(restarted.search("which animal purrs?", 1).get(0).embedded().metadata().getString("id"))
                .isEqualTo("cats");
    }

    @Test
    void sync_embeds_only_new_and_changed_documents_and_removes_missing_ones() {
        Path file = dir.resolve("store.json");
        DenseIndex.builder().embeddingModel(new CountingEmbeddingModel()).storeFile(file).showProgress(false).build()
                .sync(DOCS);

        CountingEmbeddingModel model = new CountingEmbeddingModel();
        DenseIndex index = DenseIndex.builder().embeddingModel(model).storeFile(file).showProgress(false).build();
        List<Document> next = List.of(
                DOCS.get(0),
                doc("rust", "Rust is a systems programming language with a borrow checker."),
                doc("tea", "Green tea is brewed from unoxidised Camellia sinensis leaves."));
        assertThat(index.sync(next)).isEqualTo(new IngestReport(1, 1, 1, 1));
        assertThat(model.embedded).hasValue(2);
        assertThat(index.size()).isEqualTo(3);

        List<EmbeddingMatch<TextSegment>> all = index.search("anything", 10);
        assertThat(all).extracting(m -> m.embedded().metadata().getString("id"))
                .containsExactlyInAnyOrder("cats", "rust", "tea");
        assertThat(index.search("memory safe programming language", 1).get(0).embedded().text())
                .startsWith("Rust is a systems");

        // And the change survived a restart.
        DenseIndex restarted = DenseIndex.builder().embeddingModel(new CountingEmbeddingModel()).storeFile(file)
                .showProgress(false).build();
        assertThat(restarted.sync(next)).isEqualTo(new IngestReport(0, 0, 0, 3));
    }

    @Test
    void segments_keep_the_document_text_and_metadata_unchanged() {
        DenseIndex index = DenseIndex.builder().embeddingModel(miniLm).showProgress(false).build();
        index.sync(DOCS);
        TextSegment top = index.search("bytecode compiler", 1).get(0).embedded();
        assertThat(top.text()).isEqualTo(DOCS.get(2).text());
        assertThat(top.metadata().getString("id")).isEqualTo("jvm");
        assertThat(top.metadata().getString("title")).isEqualTo("Tjvm");
    }

    @Test
    void document_without_id_is_identified_by_a_hash_of_its_text() {
        DenseIndex index = DenseIndex.builder().embeddingModel(miniLm).showProgress(false).build();
        Document anonymous = Document.from("A document that carries no id at all.");
        index.sync(List.of(anonymous));
        String id = index.search("document", 1).get(0).embedded().metadata().getString("id");
        assertThat(id).isEqualTo(DenseIndex.documentId(anonymous)).hasSize(32);
        assertThat(index.sync(List.of(Document.from("A document that carries no id at all."))))
                .isEqualTo(new IngestReport(0, 0, 0, 1));
    }

    @Test
    void retriever_returns_contents_with_first_stage_score_and_embedding_id() {
        DenseIndex index = DenseIndex.builder().embeddingModel(miniLm).showProgress(false).build();
        index.sync(DOCS);
        List<Content> contents = index.retriever(150).retrieve(Query.from("oxidation of metal"));
        assertThat(contents).hasSize(3);
        assertThat(contents.get(0).textSegment().metadata().getString("id")).isEqualTo("rust");
        assertThat(contents.get(0).metadata()).containsKeys(ContentMetadata.SCORE, ContentMetadata.EMBEDDING_ID);
    }

    @Test
    void a_store_file_without_a_matching_manifest_is_not_trusted() throws Exception {
        Path file = dir.resolve("store.json");
        DenseIndex.builder().embeddingModel(miniLm).storeFile(file).showProgress(false).build().sync(DOCS);
        Files.writeString(DenseIndex.manifestFor(file), "{ not json");

        CountingEmbeddingModel model = new CountingEmbeddingModel();
        DenseIndex index = DenseIndex.builder().embeddingModel(model).storeFile(file).showProgress(false).build();
        assertThat(index.size()).isZero();
        assertThat(index.sync(DOCS)).isEqualTo(new IngestReport(3, 0, 0, 0));
        assertThat(index.search("x", 10)).hasSize(3);
    }

    @Test
    void rejects_duplicate_ids_and_bad_arguments_with_clear_messages() {
        DenseIndex index = DenseIndex.builder().embeddingModel(miniLm).showProgress(false).build();
        assertThatThrownBy(() -> index.sync(List.of(DOCS.get(0), doc("cats", "other"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'cats'");
        assertThatThrownBy(() -> index.sync(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("documents");
        assertThatThrownBy(() -> index.search("q", 0)).hasMessageContaining("maxResults");
        assertThatThrownBy(() -> DenseIndex.builder().storeFile(dir.resolve("a.json"))
                .embeddingStore(new dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore<>()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeFile");
    }
}
