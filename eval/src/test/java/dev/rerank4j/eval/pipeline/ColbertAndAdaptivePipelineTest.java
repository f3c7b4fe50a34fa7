package dev.rerank4j.eval.pipeline;

import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ColbertAndAdaptivePipelineTest {

    @TempDir
    Path cache;

    private final Map<String, Document> corpus = BeirDataset.load(Fixtures.tinyBeir(), "test").corpus();

    private static List<Candidate> candidates(String... ids) {
        List<Candidate> list = new ArrayList<>();
        for (String id : ids) {
            list.add(new Candidate(id, 0));
        }
        return list;
    }

    @Test
    void colbert_reranks_every_candidate_by_maxsim_from_a_cached_index() throws Exception {
        Query query = new Query("q", "capital of France");
        List<Candidate> candidates = candidates("d2", "d1", "d5", "d3");
        List<String> ranked;
        try (ColbertPipeline colbert = ColbertPipeline.open(Fixtures.tinyColbert(), corpus, cache, 0, 150, false)) {
            var ranking = colbert.rank(query, candidates);
            ranked = ranking.docIds();
            assertThat(ranking.pairs()).isEqualTo(4);
        }
        // the same order from MaxSim on freshly encoded (float32) vectors
        try (ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(Fixtures.tinyColbert()).build()) {
            var q = encoder.encodeQuery(query.text());
            List<String> expected = new ArrayList<>(List.of("d2", "d1", "d5", "d3"));
            Map<String, Double> scores = new java.util.HashMap<>();
            for (String id : expected) {
                scores.put(id, MaxSim.score(q, encoder.encodeDocument(corpus.get(id).passage())));
            }
            expected.sort(Comparator.comparingDouble((String id) -> scores.get(id)).reversed());
            assertThat(ranked).containsExactlyElementsOf(expected);
        }
        try (var files = Files.list(cache)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("colbert-"))).hasSize(1);
        }
        // reopening uses the index file (no rebuild) and ranks the same
        try (ColbertPipeline again = ColbertPipeline.open(Fixtures.tinyColbert(), corpus, cache, 0, 150, false)) {
            assertThat(again.rank(query, candidates).docIds()).isEqualTo(ranked);
        }
    }

    @Test
    void colbert_without_a_model_directory_names_the_option() {
        assertThatThrownBy(() -> ColbertPipeline.open(null, corpus, cache, 0, 150, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--colbert-model");
    }

    @Test
    void adaptive_depth_reranks_a_prefix_within_the_candidates_and_learns_from_each_query() {
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelDirectory(Fixtures.tinyCrossEncoder()).build()) {
            var pipeline = CascadePipeline.latencyBudget(model, corpus, 1000, 1, 6, 6, false);
            assertThat(pipeline.name()).isEqualTo("ce-sla@1000");
            assertThat(pipeline.details()).containsEntry("budget_ms", 1000L).containsEntry("deadline_ms", 1000L);
            List<Candidate> candidates = candidates("d2", "d1", "d5", "d3", "d6", "d4");
            var first = pipeline.rank(new Query("q", "capital"), candidates);
            assertThat(first.depth()).as("no observation yet: max depth").isEqualTo(6);
            var second = pipeline.rank(new Query("q", "capital"), candidates);
            assertThat(second.depth()).isBetween(1, 6);
            assertThat(second.docIds()).containsExactlyInAnyOrder("d2", "d1", "d5", "d3", "d6", "d4");
            assertThat(pipeline.rank(new Query("q", "x"), List.of()).docIds()).isEmpty();
            assertThat(pipeline.details().get("learned_ns_per_token")).as("learned from the first query").isNotNull();
        }
    }
}
