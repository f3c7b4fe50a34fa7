package dev.rerank4j.eval.pipeline;

import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrossEncoderPipelineTest {

    static CrossEncoderScoringModel model;
    static Map<String, Document> corpus;

    @BeforeAll
    static void open() {
        model = CrossEncoderScoringModel.builder().modelDirectory(Fixtures.tinyCrossEncoder()).build();
        corpus = BeirDataset.load(Fixtures.tinyBeir(), "test").corpus();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<Candidate> candidates(String... ids) {
        List<Candidate> list = new ArrayList<>();
        for (String id : ids) {
            list.add(new Candidate(id, 0));
        }
        return list;
    }

    @Test
    void reranks_the_top_n_by_model_score_and_keeps_the_tail_in_first_stage_order() {
        Query query = new Query("q", "capital of France");
        List<Candidate> candidates = candidates("d2", "d1", "d5", "d3", "d6", "d4");
        var ranking = new CrossEncoderPipeline(model, corpus, 3).rank(query, candidates);

        List<String> top = List.of("d2", "d1", "d5");
        double[] scores = model.scorePassages(query.text(), top.stream().map(id -> corpus.get(id).passage()).toList())
                .scores();
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        assertThat(ranking.docIds().subList(0, 3)).containsExactly(top.get(order.get(0)), top.get(order.get(1)),
                top.get(order.get(2)));
        assertThat(ranking.docIds().subList(3, 6)).containsExactly("d3", "d6", "d4");
        assertThat(ranking.pairs()).isEqualTo(3);
    }

    @Test
    void equal_scores_keep_first_stage_order() {
        // the same passage twice scores the same; the stable sort must keep d1 before its twin
        List<Candidate> candidates = candidates("d1", "d1", "d2");
        double[] scores = {1.0, 1.0, 2.0};
        assertThat(Reorder.prefixByScore(candidates, scores)).containsExactly("d2", "d1", "d1");
        assertThat(Reorder.prefixByScore(candidates("a", "b", "c", "d"), new double[]{0.5, 0.5}))
                .containsExactly("a", "b", "c", "d");
    }

    @Test
    void a_list_shorter_than_the_depth_is_reranked_whole() {
        var ranking = new CrossEncoderPipeline(model, corpus, 30).rank(new Query("q", "risotto"), candidates("d6", "d1"));
        assertThat(ranking.docIds()).containsExactlyInAnyOrder("d6", "d1");
        assertThat(ranking.depth()).isEqualTo(2);
    }

    @Test
    void a_candidate_missing_from_the_corpus_is_named() {
        assertThatThrownBy(() -> new CrossEncoderPipeline(model, corpus, 5).rank(new Query("q", "x"),
                candidates("d1", "zz"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zz");
    }

    @Test
    void rejects_bad_arguments() {
        assertThatThrownBy(() -> new CrossEncoderPipeline(null, corpus, 5)).hasMessageContaining("model");
        assertThatThrownBy(() -> new CrossEncoderPipeline(model, corpus, 0)).hasMessageContaining("depth");
    }
}
