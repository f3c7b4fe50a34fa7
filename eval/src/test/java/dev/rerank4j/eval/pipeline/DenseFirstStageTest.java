package dev.rerank4j.eval.pipeline;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DenseFirstStageTest {

    static AllMiniLmL6V2EmbeddingModel model;
    static Map<String, Document> corpus;

    @TempDir
    Path cache;

    @BeforeAll
    static void load() {
        model = new AllMiniLmL6V2EmbeddingModel();
        corpus = BeirDataset.load(Fixtures.tinyBeir(), "test").corpus();
    }

    @Test
    void retrieves_the_whole_tiny_corpus_best_first_with_the_obvious_answer_on_top() {
        DenseFirstStage dense = DenseFirstStage.build(corpus, model, "m", 150, cache, false);
        List<Candidate> hits = dense.retrieve(new Query("q", "How do I cook risotto?"));
        assertThat(hits).hasSize(6);
        assertThat(hits.get(0).docId()).isEqualTo("d6");
        for (int i = 1; i < hits.size(); i++) {
            assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
        }
        assertThat(DenseFirstStage.build(corpus, model, "m", 2, cache, false).retrieve(new Query("q", "risotto")))
                .hasSize(2);
    }

    @Test
    void a_second_build_over_the_same_corpus_and_model_loads_the_cache() {
        DenseFirstStage first = DenseFirstStage.build(corpus, model, "m", 150, cache, false);
        assertThat(first.loadedFromCache()).isFalse();
        DenseFirstStage second = DenseFirstStage.build(corpus, model, "m", 150, cache, false);
        assertThat(second.loadedFromCache()).isTrue();
        assertThat(second.cacheFile()).isEqualTo(first.cacheFile());
        Query query = new Query("q", "capital of Germany");
        assertThat(second.retrieve(query)).isEqualTo(first.retrieve(query));
    }

    @Test
    void another_model_id_or_changed_corpus_gets_another_cache_file() {
        Path base = DenseFirstStage.build(corpus, model, "m", 150, cache, false).cacheFile();
        assertThat(DenseFirstStage.build(corpus, model, "other", 150, cache, false).cacheFile()).isNotEqualTo(base);
        Map<String, Document> changed = new LinkedHashMap<>(corpus);
        changed.put("d6", new Document("d6", "Cooking", "Risotto wants arborio rice."));
        assertThat(DenseFirstStage.build(changed, model, "m", 150, cache, false).cacheFile()).isNotEqualTo(base);
    }

    @Test
    void rejects_bad_arguments() {
        assertThatThrownBy(() -> DenseFirstStage.build(Map.of(), model, "m", 150, cache, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corpus");
        assertThatThrownBy(() -> DenseFirstStage.build(corpus, model, "m", 0, cache, false))
                .hasMessageContaining("depth");
    }
}
