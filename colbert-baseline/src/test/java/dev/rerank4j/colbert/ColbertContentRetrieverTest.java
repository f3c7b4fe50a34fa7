package dev.rerank4j.colbert;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ColbertContentRetrieverTest {

    private static final Map<String, String> CORPUS = new LinkedHashMap<>();
    private static ColbertEncoder encoder;
    private static EmbeddingModel embeddingModel;
    private static InMemoryEmbeddingStore<TextSegment> store;

    @BeforeAll
    static void setUp() {
        CORPUS.put("d1", "Vitamin D promotes calcium absorption and bone mineralization.");
        CORPUS.put("d2", "Calcium supplements and bone density in older women.");
        CORPUS.put("d3", "Smoking is the leading cause of lung cancer.");
        CORPUS.put("d4", "The stock market closed higher on Friday.");
        CORPUS.put("d5", "Osteoporosis weakens bones and raises fracture risk.");
        CORPUS.put("d6", "Berlin is the capital of Germany.");
        encoder = ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert")).build();
        embeddingModel = new AllMiniLmL6V2EmbeddingModel();
        store = new InMemoryEmbeddingStore<>();
        store.addAll(List.copyOf(CORPUS.keySet()),
                CORPUS.values().stream().map(t -> embeddingModel.embed(t).content()).toList(),
                CORPUS.values().stream().map(TextSegment::from).toList());
    }

    @AfterAll
    static void tearDown() {
        encoder.close();
    }

    private static List<String> denseTop(String query, int n) {
        Embedding q = embeddingModel.embed(query).content();
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(q).maxResults(n).build()).matches()
                .stream().map(m -> m.embeddingId()).toList();
    }

    @Test
    void reranks_the_dense_candidates_by_maxsim_and_returns_the_top_k(@TempDir Path dir) {
        String query = "how does vitamin d affect bones";
        try (ColbertIndex index = ColbertIndex.build(encoder, CORPUS, dir.resolve("i"));
             ColbertScoringModel scorer = ColbertScoringModel.builder().encoder(encoder).index(index).build()) {
            ColbertContentRetriever retriever = ColbertContentRetriever.builder()
                    .embeddingStore(store).embeddingModel(embeddingModel).firstStageSize(4)
                    .scoringModel(scorer).maxResults(2).build();
            List<Content> results = retriever.retrieve(Query.from(query));

            MaxSim.Prepared q = MaxSim.prepare(encoder.encodeQuery(query));
            List<String> expected = denseTop(query, 4).stream()
                    .sorted(Comparator.comparingDouble((String id) -> -index.score(q, id))).limit(2).toList();
            assertThat(results).hasSize(2);
            assertThat(results.stream().map(c -> c.textSegment().metadata().getString("id")).toList())
                    .containsExactlyElementsOf(expected);
            for (Content c : results) {
                String id = c.textSegment().metadata().getString("id");
                assertThat((Double) c.metadata().get(ContentMetadata.RERANKED_SCORE)).isCloseTo(index.score(q, id), within(1e-9));
                assertThat(c.metadata()).containsKey(ContentMetadata.SCORE).containsEntry(ContentMetadata.EMBEDDING_ID, id);
                assertThat(c.textSegment().text()).isEqualTo(CORPUS.get(id));
            }
        }
    }

    @Test
    void any_content_retriever_can_be_the_first_stage_and_unindexed_segments_are_encoded() {
        String query = "lung cancer and smoking";
        EmbeddingStoreContentRetriever dense = EmbeddingStoreContentRetriever.builder()
                .embeddingStore(store).embeddingModel(embeddingModel).maxResults(5).build();
        try (ColbertScoringModel scorer = ColbertScoringModel.builder().encoder(encoder).build()) {
            List<Content> results = ColbertContentRetriever.builder().firstStage(dense).scoringModel(scorer)
                    .maxResults(3).build().retrieve(Query.from(query));
            List<Content> candidates = dense.retrieve(Query.from(query));
            MaxSim.Prepared q = MaxSim.prepare(encoder.encodeQuery(query));
            List<String> expected = candidates.stream().map(c -> c.textSegment().text())
                    .sorted(Comparator.comparingDouble((String t) -> -q.score(encoder.encodeDocument(t)))).limit(3).toList();
            assertThat(results.stream().map(c -> c.textSegment().text()).toList()).containsExactlyElementsOf(expected);
            List<Double> scores = results.stream().map(c -> (Double) c.metadata().get(ContentMetadata.RERANKED_SCORE)).toList();
            assertThat(scores).isSortedAccordingTo(Comparator.reverseOrder());
        }
    }

    @Test
    void min_score_drops_weak_results() {
        try (ColbertScoringModel scorer = ColbertScoringModel.builder().encoder(encoder).build()) {
            List<Content> all = ColbertContentRetriever.builder().embeddingStore(store).embeddingModel(embeddingModel)
                    .scoringModel(scorer).maxResults(6).build().retrieve(Query.from("bones"));
            double cut = (Double) all.get(2).metadata().get(ContentMetadata.RERANKED_SCORE);
            List<Content> some = ColbertContentRetriever.builder().embeddingStore(store).embeddingModel(embeddingModel)
                    .scoringModel(scorer).maxResults(6).minScore(cut).build().retrieve(Query.from("bones"));
            assertThat(some).hasSizeLessThanOrEqualTo(3).isNotEmpty();
            assertThat(some).allSatisfy(c -> assertThat((Double) c.metadata().get(ContentMetadata.RERANKED_SCORE))
                    .isGreaterThanOrEqualTo(cut));
        }
    }

    @Test
    void builder_requires_exactly_one_first_stage_and_a_scoring_model() {
        try (ColbertScoringModel scorer = ColbertScoringModel.builder().encoder(encoder).build()) {
            assertThatThrownBy(() -> ColbertContentRetriever.builder().scoringModel(scorer).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first stage");
            assertThatThrownBy(() -> ColbertContentRetriever.builder().embeddingStore(store).scoringModel(scorer).build())
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ColbertContentRetriever.builder().firstStage(q -> List.of())
                    .embeddingStore(store).embeddingModel(embeddingModel).scoringModel(scorer).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
            assertThatThrownBy(() -> ColbertContentRetriever.builder().firstStage(q -> List.of()).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scoringModel");
            assertThatThrownBy(() -> ColbertContentRetriever.builder().firstStage(q -> List.of()).scoringModel(scorer)
                    .maxResults(0).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResults");
            assertThat(ColbertContentRetriever.builder().firstStage(q -> List.of()).scoringModel(scorer).build()
                    .retrieve(Query.from("anything"))).isEmpty();
        }
    }
}
