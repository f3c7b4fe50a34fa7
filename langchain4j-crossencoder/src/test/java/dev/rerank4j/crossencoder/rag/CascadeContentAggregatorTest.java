package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReciprocalRankFuser;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import dev.rerank4j.crossencoder.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CascadeContentAggregatorTest {

    private static final Query QUERY = Query.from("which passage is best?");

    /** First-stage candidates as EmbeddingStoreContentRetriever returns them: SCORE and EMBEDDING_ID set. */
    static List<Content> firstStage(List<String> texts) {
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            TextSegment segment = TextSegment.from(texts.get(i), Metadata.from("id", "doc" + i));
            contents.add(Content.from(segment, Map.of(ContentMetadata.SCORE, 1.0 - i * 0.001,
                    ContentMetadata.EMBEDDING_ID, "emb" + i)));
        }
        return contents;
    }

    static List<String> passages(int n) {
        return IntStream.range(0, n).mapToObj(i -> "passage " + i).toList();
    }

    /** A permutation of 0..39 as scores: passage i scores (7 i) mod 40. */
    static double permutedScore(String text) {
        int i = Integer.parseInt(text.substring("passage ".length()));
        return (7 * i) % 40;
    }

    static Map<Query, Collection<List<Content>>> single(List<Content> contents) {
        return Map.of(QUERY, List.of(contents));
    }

    static List<String> texts(List<Content> contents) {
        return contents.stream().map(c -> c.textSegment().text()).toList();
    }

    @Test
    void reranks_the_top_depth_and_returns_the_best_k_by_score() {
        List<Content> candidates = firstStage(passages(40));
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore);
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        List<String> expected = candidates.subList(0, 30).stream().map(c -> c.textSegment().text())
                .sorted(Comparator.comparingDouble(CascadeContentAggregatorTest::permutedScore).reversed())
                .limit(8).toList();
        assertThat(texts(result)).containsExactlyElementsOf(expected);
        assertThat(model.calls).hasSize(1);
        assertThat(model.calls.get(0)).containsExactlyElementsOf(texts(candidates.subList(0, 30)));
    }

    @Test
    void results_keep_first_stage_metadata_and_add_the_reranked_score() {
        List<Content> candidates = firstStage(passages(40));
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore)).build();

        for (Content content : aggregator.aggregate(single(candidates))) {
            int rank = Integer.parseInt(content.textSegment().text().substring("passage ".length()));
            Content original = candidates.get(rank);
            assertThat(content.textSegment()).isEqualTo(original.textSegment());
            assertThat(content.metadata())
                    .containsEntry(ContentMetadata.SCORE, original.metadata().get(ContentMetadata.SCORE))
                    .containsEntry(ContentMetadata.EMBEDDING_ID, "emb" + rank)
                    .containsEntry(ContentMetadata.RERANKED_SCORE, permutedScore(content.textSegment().text()));
        }
    }

    @Test
    void equal_scores_keep_first_stage_order() {
        List<Content> candidates = firstStage(List.of("a", "b", "c", "d", "e"));
        Map<String, Double> scores = Map.of("a", 1.0, "b", 5.0, "c", 1.0, "d", 5.0, "e", 1.0);
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(ScriptedScoringModel.of(scores)).maxResults(5).build();

        assertThat(texts(aggregator.aggregate(single(candidates)))).containsExactly("b", "d", "a", "c", "e");
    }

    @Test
    void identical_texts_are_scored_once_and_all_kept() {
        List<Content> candidates = firstStage(List.of("same", "other", "same", "low"));
        ScriptedScoringModel model = ScriptedScoringModel.of(Map.of("same", 3.0, "other", 2.0, "low", 1.0));
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        assertThat(model.calls).containsExactly(List.of("same", "other", "low"));
        assertThat(texts(result)).containsExactly("same", "same", "other", "low");
        assertThat(result.get(0).metadata()).containsEntry(ContentMetadata.EMBEDDING_ID, "emb0");
        assertThat(result.get(1).metadata()).containsEntry(ContentMetadata.EMBEDDING_ID, "emb2");
    }

    @Test
    void candidates_beyond_the_depth_follow_in_first_stage_order_when_fewer_than_k_are_reranked() {
        List<Content> candidates = firstStage(passages(20));
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore);
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(model).rerankDepth(3).maxResults(6).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        // passage 0,1,2 score 0,7,14 → 2,1,0; then 3,4,5 unscored in first-stage order
        assertThat(texts(result)).containsExactly("passage 2", "passage 1", "passage 0",
                "passage 3", "passage 4", "passage 5");
        assertThat(result.get(3).metadata()).doesNotContainKey(ContentMetadata.RERANKED_SCORE)
                .containsEntry(ContentMetadata.EMBEDDING_ID, "emb3");
        assertThat(model.pairsScored()).isEqualTo(3);
    }

    @Test
    void min_score_drops_reranked_contents_below_it_without_filling_up_with_unscored_ones() {
        List<Content> candidates = firstStage(passages(40));
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore))
                .rerankDepth(10).maxResults(8).minScore(30.0).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        // of passages 0..9 (scores 0,7,14,21,28,35,2,9,16,23) only passage 5 scores >= 30
        assertThat(texts(result)).containsExactly("passage 5");
    }

    @Test
    void several_lists_are_fused_like_langchain4j_before_reranking() {
        List<Content> first = firstStage(List.of("passage 1", "passage 2", "passage 3"));
        List<Content> second = firstStage(List.of("passage 4", "passage 2", "passage 5"));
        ScriptedScoringModel model = new ScriptedScoringModel(text -> 0.0);
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(model).maxResults(10).build();

        List<Content> result = aggregator.aggregate(Map.of(QUERY, List.of(first, second)));

        List<Content> fused = ReciprocalRankFuser.fuse(List.of(ReciprocalRankFuser.fuse(List.of(first, second))));
        // all scores equal: the fused order is kept
        assertThat(texts(result)).containsExactlyElementsOf(texts(fused));
        assertThat(model.calls.get(0)).containsExactlyElementsOf(texts(fused));
    }

    @Test
    void several_queries_need_a_query_selector() {
        Map<Query, Collection<List<Content>>> two = new LinkedHashMap<>();
        two.put(Query.from("q1"), List.of(firstStage(List.of("passage 1"))));
        two.put(Query.from("q2"), List.of(firstStage(List.of("passage 2"))));
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore);

        assertThatThrownBy(() -> CascadeContentAggregator.builder().scoringModel(model).build().aggregate(two))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("querySelector");
        List<Content> result = CascadeContentAggregator.builder().scoringModel(model)
                .querySelector(map -> map.keySet().iterator().next()).build().aggregate(two);
        assertThat(texts(result)).containsExactly("passage 2", "passage 1");
    }

    @Test
    void returns_first_stage_order_when_deadline_passes_and_cancels_the_late_work() throws Exception {
        List<Content> candidates = firstStage(passages(40));
        // scoring never ends on its own: the aggregator can only return because of the deadline
        ScriptedScoringModel stuck = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore)
                .blockFromCall(0);
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(stuck)
                .deadline(Duration.ofMillis(150)).executor(executor).listener(events::add).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        assertThat(result).containsExactlyElementsOf(candidates.subList(0, 8));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.fallback()).contains(FallbackReason.DEADLINE_EXCEEDED);
            assertThat(event.depthChosen()).isEqualTo(30);
            assertThat(event.candidates()).isEqualTo(40);
        });
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).as("the late scoring call was cancelled").isTrue();
        assertThat(stuck.interrupted.getCount()).isZero();
        assertThat(stuck.completedCalls).isEmpty();
    }

    @Test
    void returns_the_reranked_prefix_when_the_deadline_passes_after_it() {
        List<Content> candidates = firstStage(passages(40));
        // the top 8 are scored at once, the remaining 22 never finish
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore)
                .blockFromCall(1);
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model)
                .deadline(Duration.ofMillis(400)).listener(events::add).build();

        List<Content> result = aggregator.aggregate(single(candidates));

        List<String> prefixReranked = texts(candidates.subList(0, 8)).stream()
                .sorted(Comparator.comparingDouble(CascadeContentAggregatorTest::permutedScore).reversed()).toList();
        assertThat(texts(result)).containsExactlyElementsOf(prefixReranked);
        assertThat(events.get(0).fallback()).contains(FallbackReason.DEADLINE_PARTIAL);
    }

    @Test
    void fail_open_returns_first_stage_order_when_scoring_fails() {
        List<Content> candidates = firstStage(passages(12));
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0).failWith(new IllegalStateException("model crashed")))
                .listener(events::add).build();

        assertThat(aggregator.aggregate(single(candidates))).containsExactlyElementsOf(candidates.subList(0, 8));
        assertThat(events.get(0).fallback()).contains(FallbackReason.SCORING_FAILED);
    }

    @Test
    void fail_closed_throws_on_scoring_failure_and_on_timeout() {
        List<Content> candidates = firstStage(passages(12));
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator failing = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0).failWith(new IllegalStateException("model crashed")))
                .failOpen(false).listener(events::add).build();
        assertThatThrownBy(() -> failing.aggregate(single(candidates)))
                .isInstanceOf(RerankException.class)
                .hasRootCauseMessage("model crashed")
                .satisfies(e -> assertThat(((RerankException) e).reason()).isEqualTo(FallbackReason.SCORING_FAILED));

        CascadeContentAggregator slow = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0).blockFromCall(0))
                .deadline(Duration.ofMillis(50)).failOpen(false).listener(events::add).build();
        assertThatThrownBy(() -> slow.aggregate(single(candidates)))
                .isInstanceOf(RerankException.class)
                .satisfies(e -> assertThat(((RerankException) e).reason()).isEqualTo(FallbackReason.DEADLINE_EXCEEDED));
        assertThat(events).extracting(e -> e.fallback().orElseThrow())
                .containsExactly(FallbackReason.SCORING_FAILED, FallbackReason.DEADLINE_EXCEEDED);
    }

    @Test
    void a_wrong_number_of_scores_is_a_scoring_failure() {
        List<Content> candidates = firstStage(passages(5));
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel((segments, query) -> dev.langchain4j.model.output.Response.from(List.of(1.0)))
                .failOpen(false).build();
        assertThatThrownBy(() -> aggregator.aggregate(single(candidates)))
                .isInstanceOf(RerankException.class).hasRootCauseMessage("Scoring model returned 1 scores for 5 segments");
    }

    @Test
    void a_failing_listener_does_not_break_the_request() {
        List<Content> candidates = firstStage(passages(5));
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore))
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(events::add).build();
        assertThat(aggregator.aggregate(single(candidates))).hasSize(5);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.fallback()).isEmpty();
            assertThat(e.depthChosen()).isEqualTo(5);
            assertThat(e.query()).isEqualTo(QUERY.text());
        });
    }

    @Test
    void empty_input_gives_an_empty_result_and_bad_arguments_are_rejected() {
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0)).build();
        assertThat(aggregator.aggregate(Map.of())).isEmpty();
        assertThat(aggregator.aggregate(single(List.of()))).isEmpty();
        assertThatThrownBy(() -> aggregator.aggregate(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CascadeContentAggregator.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scoringModel");
        ScriptedScoringModel model = new ScriptedScoringModel(t -> 0);
        assertThatThrownBy(() -> CascadeContentAggregator.builder().scoringModel(model).maxResults(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResults");
        assertThatThrownBy(() -> CascadeContentAggregator.builder().scoringModel(model).deadline(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
        assertThatThrownBy(() -> CascadeContentAggregator.builder().scoringModel(model).rerankDepth(5)
                .depthPolicy(DepthPolicy.fixed(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rerankDepth");
    }

    @Test
    void adaptive_depth_shrinks_when_the_scorer_slows_and_grows_back_when_it_recovers() {
        List<Content> candidates = firstStage(passages(40));
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore);
        AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().latencyBudget(Duration.ofMillis(300))
                .minDepth(4).maxDepth(30).smoothing(0.5).tokenCounter(text -> 10).build();
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model)
                .depthPolicy(policy).listener(events::add).build();

        model.delayPerPair(1); // ~30 ms for 30 pairs: everything fits
        for (int i = 0; i < 3; i++) {
            aggregator.aggregate(single(candidates));
        }
        int fastDepth = events.get(events.size() - 1).depthChosen();

        model.delayPerPair(40); // 30 pairs would take 1.2 s
        for (int i = 0; i < 5; i++) {
            aggregator.aggregate(single(candidates));
        }
        int slowDepth = events.get(events.size() - 1).depthChosen();

        model.delayPerPair(1);
        for (int i = 0; i < 12; i++) {
            aggregator.aggregate(single(candidates));
        }
        int recoveredDepth = events.get(events.size() - 1).depthChosen();

        assertThat(fastDepth).isEqualTo(30);
        assertThat(slowDepth).isLessThan(10).isGreaterThanOrEqualTo(4);
        assertThat(recoveredDepth).isEqualTo(30);
    }

    @Test
    void smaller_phases_stop_scoring_at_the_next_phase_after_a_deadline() throws Exception {
        List<Content> candidates = firstStage(passages(40));
        // phases 0-7 and 8-13 are scored at once, 14-19 runs until cancelled and then still returns (a batch that
        // cannot be stopped); 20-25 and 26-29 must never start
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore)
                .blockFromCall(2).finishWhenInterrupted();
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model)
                .deadline(Duration.ofMillis(500)).phaseSize(6).executor(executor).listener(events::add).build();

        List<Content> result = aggregator.aggregate(single(candidates));
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).as("the scoring task ended").isTrue();

        assertThat(model.completedCalls).containsExactly(8, 6, 6);
        assertThat(model.calls).hasSize(3);
        assertThat(model.calls.get(1)).containsExactlyElementsOf(texts(candidates.subList(8, 14)));
        assertThat(model.calls.get(2)).containsExactlyElementsOf(texts(candidates.subList(14, 20)));
        assertThat(events.get(0).fallback()).contains(FallbackReason.DEADLINE_PARTIAL);
        List<String> reranked = texts(candidates.subList(0, 14)).stream()
                .sorted(Comparator.comparingDouble(CascadeContentAggregatorTest::permutedScore).reversed())
                .limit(8).toList();
        assertThat(texts(result)).containsExactlyElementsOf(reranked);
    }

    @Test
    void an_inference_failure_is_a_scoring_failure() {
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder()
                .scoringModel(new ScriptedScoringModel(t -> 0).failWith(new InferenceException("runtime error")))
                .listener(events::add).build();

        List<Content> candidates = firstStage(passages(12));
        assertThat(aggregator.aggregate(single(candidates))).containsExactlyElementsOf(candidates.subList(0, 8));
        assertThat(events.get(0).fallback()).contains(FallbackReason.SCORING_FAILED);
    }

    @Test
    void a_cancellation_by_the_model_is_reported_as_cancelled_not_as_a_failure() {
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        ScriptedScoringModel closed = new ScriptedScoringModel(t -> 0)
                .failWith(new InferenceCancelledException("the model was closed"));
        List<Content> candidates = firstStage(passages(12));

        CascadeContentAggregator failOpen = CascadeContentAggregator.builder().scoringModel(closed)
                .listener(events::add).build();
        assertThat(failOpen.aggregate(single(candidates))).containsExactlyElementsOf(candidates.subList(0, 8));
        CascadeContentAggregator withDeadline = CascadeContentAggregator.builder().scoringModel(closed)
                .deadline(Duration.ofSeconds(30)).listener(events::add).build();
        assertThat(withDeadline.aggregate(single(candidates))).containsExactlyElementsOf(candidates.subList(0, 8));
        CascadeContentAggregator failClosed = CascadeContentAggregator.builder().scoringModel(closed)
                .failOpen(false).build();
        assertThatThrownBy(() -> failClosed.aggregate(single(candidates))).isInstanceOf(RerankException.class)
                .satisfies(e -> assertThat(((RerankException) e).reason()).isEqualTo(FallbackReason.CANCELLED))
                .hasRootCauseMessage("the model was closed");

        assertThat(events).extracting(e -> e.fallback().orElseThrow())
                .containsExactly(FallbackReason.CANCELLED, FallbackReason.CANCELLED);
    }

    @Test
    void a_caller_interrupted_while_scoring_gets_first_stage_order_and_keeps_its_interrupt() throws Exception {
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        ScriptedScoringModel model = new ScriptedScoringModel(CascadeContentAggregatorTest::permutedScore)
                .blockFromCall(0);
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(model)
                .listener(events::add).build(); // no deadline: scoring runs on the caller's thread
        List<Content> candidates = firstStage(passages(12));
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        CompletableFuture<List<Content>> result = CompletableFuture.supplyAsync(() -> {
            caller.complete(Thread.currentThread());
            List<Content> contents = aggregator.aggregate(single(candidates));
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
            return contents;
        }, command -> new Thread(command, "caller").start());
        Await.until("the scorer is called", () -> !model.calls.isEmpty(), Duration.ofSeconds(30));

        caller.get().interrupt(); // the scorer throws InferenceCancelledException on that thread

        assertThat(result.get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(candidates.subList(0, 8));
        assertThat(stillInterrupted.get()).isTrue();
        assertThat(events.get(0).fallback()).contains(FallbackReason.INTERRUPTED);
    }
}
