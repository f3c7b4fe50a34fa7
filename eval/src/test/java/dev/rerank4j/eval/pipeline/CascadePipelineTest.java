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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CascadePipelineTest {

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
        for (int i = 0; i < ids.length; i++) {
            list.add(new Candidate(ids[i], 1.0 - i / 10.0));
        }
        return list;
    }

    /** The reference semantics: the top n by the model's own scores (ties keep first-stage order), then the rest. */
    private static List<String> expected(Map<String, Document> docs, String query, List<String> ids, int n) {
        List<String> top = ids.subList(0, Math.min(n, ids.size()));
        double[] scores = model.scorePassages(query, top.stream().map(id -> docs.get(id).passage()).toList()).scores();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<String> ranking = new ArrayList<>();
        order.forEach(i -> ranking.add(top.get(i)));
        ranking.addAll(ids.subList(top.size(), ids.size()));
        return ranking;
    }

    @Test
    void ce_n_reranks_the_top_n_by_the_models_scores_and_keeps_the_tail_in_first_stage_order() {
        Query query = new Query("q", "capital of France");
        CascadePipeline pipeline = CascadePipeline.fixedDepth(model, corpus, 3, 150, false);
        var ranking = pipeline.rank(query, candidates("d2", "d1", "d5", "d3", "d6", "d4"));

        assertThat(pipeline.name()).isEqualTo("ce@3");
        assertThat(ranking.docIds()).containsExactlyElementsOf(
                expected(corpus, query.text(), List.of("d2", "d1", "d5", "d3", "d6", "d4"), 3));
        assertThat(ranking.pairs()).isEqualTo(3);
        assertThat(ranking.depth()).isEqualTo(3);
        assertThat(ranking.fallback()).isNull();
        assertThat(ranking.batches()).isPositive();
    }

    @Test
    void identical_passages_score_alike_and_keep_first_stage_order() {
        Map<String, Document> withTwins = new LinkedHashMap<>(corpus);
        withTwins.put("d1-copy", new Document("d1-copy", corpus.get("d1").title(), corpus.get("d1").text()));
        CascadePipeline pipeline = CascadePipeline.fixedDepth(model, withTwins, 30, 150, false);
        Query query = new Query("q", "capital of France");

        List<String> forward = pipeline.rank(query, candidates("d1", "d2", "d1-copy", "d5")).docIds();
        List<String> backward = pipeline.rank(query, candidates("d1-copy", "d2", "d1", "d5")).docIds();

        assertThat(forward.indexOf("d1")).isEqualTo(forward.indexOf("d1-copy") - 1);
        assertThat(backward.indexOf("d1-copy")).isEqualTo(backward.indexOf("d1") - 1);
        assertThat(forward).containsExactlyElementsOf(
                expected(withTwins, query.text(), List.of("d1", "d2", "d1-copy", "d5"), 30));
    }

    @Test
    void a_copy_below_the_depth_stays_in_the_tail_although_its_text_was_scored() {
        Map<String, Document> withTwins = new LinkedHashMap<>(corpus);
        withTwins.put("d1-copy", new Document("d1-copy", corpus.get("d1").title(), corpus.get("d1").text()));
        List<String> ids = List.of("d2", "d1", "d5", "d1-copy", "d3");

        var ranking = CascadePipeline.fixedDepth(model, withTwins, 3, 150, false)
                .rank(new Query("q", "capital of France"), candidates(ids.toArray(String[]::new)));

        assertThat(ranking.docIds()).containsExactlyElementsOf(expected(withTwins, "capital of France", ids, 3));
        assertThat(ranking.docIds().subList(3, 5)).containsExactly("d1-copy", "d3");
    }

    @Test
    void a_list_shorter_than_the_depth_is_reranked_whole() {
        var ranking = CascadePipeline.fixedDepth(model, corpus, 30, 150, false)
                .rank(new Query("q", "risotto"), candidates("d6", "d1"));
        assertThat(ranking.docIds()).containsExactlyElementsOf(expected(corpus, "risotto", List.of("d6", "d1"), 30));
        assertThat(ranking.depth()).isEqualTo(2);
    }

    @Test
    void with_a_cache_the_second_pass_is_served_from_it_and_ranks_the_same() {
        CascadePipeline pipeline = CascadePipeline.fixedDepth(model, corpus, 4, 150, true);
        Query query = new Query("q", "capital of France");
        List<Candidate> candidates = candidates("d2", "d1", "d5", "d3", "d6");

        var cold = pipeline.rank(query, candidates);
        var warm = pipeline.rank(query, candidates);
        pipeline.clearCache();
        var coldAgain = pipeline.rank(query, candidates);

        assertThat(pipeline.cached()).isTrue();
        assertThat(cold.cacheHits()).isZero();
        assertThat(warm.cacheHits()).isEqualTo(4);
        assertThat(warm.batches()).as("nothing reached the model").isZero();
        assertThat(warm.docIds()).isEqualTo(cold.docIds());
        assertThat(coldAgain.cacheHits()).isZero();
        assertThat(pipeline.engine()).contains("CachingScoringModel");
    }

    @Test
    void a_candidate_missing_from_the_corpus_is_named() {
        assertThatThrownBy(() -> CascadePipeline.fixedDepth(model, corpus, 5, 150, false).rank(new Query("q", "x"),
                candidates("d1", "zz"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zz");
    }

    @Test
    void rejects_bad_arguments() {
        assertThatThrownBy(() -> CascadePipeline.fixedDepth(null, corpus, 5, 150, false)).hasMessageContaining("model");
        assertThatThrownBy(() -> CascadePipeline.fixedDepth(model, corpus, 0, 150, false)).hasMessageContaining("depth");
        assertThatThrownBy(() -> CascadePipeline.latencyBudget(model, corpus, 0, 1, 150, 150, false))
                .hasMessageContaining("budgetMillis");
    }
}
