package dev.rerank4j.eval.run;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.answers.AnswerGenerator;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.CascadePipeline;
import dev.rerank4j.eval.pipeline.DensePipeline;
import dev.rerank4j.eval.pipeline.RerankPipeline;
import dev.rerank4j.eval.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvaluatorTest {

    @TempDir
    Path dir;

    private final BeirDataset tiny = BeirDataset.load(Fixtures.tinyBeir(), "test");

    @Test
    void dense_metrics_average_over_queries_with_a_relevant_document() {
        EvalResult result = Evaluator.builder().dataset(tiny)
                .firstStage(new CandidateFileFirstStage(Fixtures.tinyCandidates(), 150))
                .pipelines(List.of(new DensePipeline("dense-model"))).build().run();

        assertThat(result.queriesRun()).isEqualTo(4);
        assertThat(result.queriesEvaluated()).as("q4 has only a grade-0 judgement").isEqualTo(3);
        PipelineResult dense = result.pipeline("dense");
        // q1 [d2 d1 d5 d3]: (2/log2 3 + 1/log2 5) / (2 + 1/log2 3) = 0.643322; q2: 1; q3 [d4 d6]: 1/log2 3 = 0.630930
        assertThat(dense.ndcg10()).isCloseTo(0.758084, within(1e-6));
        assertThat(dense.mrr10()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(dense.p5()).isCloseTo(0.8 / 3, within(1e-9));
        assertThat(dense.recall100()).isCloseTo(1.0, within(1e-9));
        assertThat(dense.answerRecall8()).isEqualTo(1.0);
        assertThat(dense.answerableQuestions()).isEqualTo(2);
        assertThat(dense.exactMatch()).as("no chat model").isNull();
        assertThat(dense.latency().count()).isEqualTo(4);
        assertThat(dense.pairsPerSecond()).isNull();
        assertThat(result.note()).contains("no chat model configured");
    }

    @Test
    void answer_recall_counts_answerable_questions_whose_answer_is_in_the_top_8() throws IOException {
        Path candidates = dir.resolve("c.tsv");
        Files.writeString(candidates, "q1\td1\t1\t0.9\nq2\td1\t1\t0.9\nq2\td2\t2\t0.8\nq3\td6\t1\t0.5\nq4\td2\t1\t0.5\n");
        EvalResult result = Evaluator.builder().dataset(tiny).firstStage(new CandidateFileFirstStage(candidates, 150))
                .pipelines(List.of(new DensePipeline(null))).build().run();
        assertThat(result.pipeline("dense").answerRecall8()).as("q1 found, q2 not").isEqualTo(0.5);
    }

    @Test
    void generated_answers_are_scored_with_exact_match_f1_and_declines() {
        Iterator<String> replies = List.of("Paris", "in the year 1889", "unanswerable").iterator();
        List<String> prompts = new ArrayList<>();
        ChatModel scripted = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                prompts.add(request.messages().toString());
                return ChatResponse.builder().aiMessage(AiMessage.from(replies.next())).build();
            }
        };
        EvalResult result = Evaluator.builder().dataset(tiny)
                .firstStage(new CandidateFileFirstStage(Fixtures.tinyCandidates(), 150))
                .pipelines(List.of(new DensePipeline(null)))
                .answerGenerator(new AnswerGenerator(scripted), "scripted").build().run();

        PipelineResult dense = result.pipeline("dense");
        assertThat(prompts).as("q1, q2 answerable, q4 unanswerable; q3 has no answer key").hasSize(3);
        assertThat(dense.exactMatch()).isEqualTo(0.5);
        // "in the year 1889" vs "in 1889": precision 2/3, recall 1 -> F1 0.8; q1 F1 1
        assertThat(dense.tokenF1()).isCloseTo(0.9, within(1e-9));
        assertThat(dense.declinedUnanswerable()).isEqualTo(1.0);
        assertThat(result.chatModel()).isEqualTo("scripted");
        assertThat(result.note()).isNull();
    }

    @Test
    void every_pipeline_sees_the_same_candidates_and_cross_encoder_counts_its_pairs() {
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelDirectory(Fixtures.tinyCrossEncoder()).build()) {
            List<RerankPipeline> pipelines = List.of(new DensePipeline(null),
                    CascadePipeline.fixedDepth(model, tiny.corpus(), 2, 150, false));
            EvalResult result = Evaluator.builder().dataset(tiny)
                    .firstStage(new CandidateFileFirstStage(Fixtures.tinyCandidates(), 150))
                    .pipelines(pipelines).build().run();
            PipelineResult ce = result.pipeline("ce@2");
            // lists have 4, 2, 2, 1 candidates: 2 + 2 + 2 + 1 pairs
            assertThat(ce.meanDepth()).isEqualTo(7 / 4.0);
            assertThat(ce.pairsPerSecond()).isPositive();
            assertThat(ce.recall100()).as("reranking a prefix cannot change recall@100")
                    .isEqualTo(result.pipeline("dense").recall100());
            assertThat(ce.latency().p50()).isGreaterThanOrEqualTo(0);
            assertThat(ce.engine()).isNotBlank();
        }
    }

    @Test
    void a_cached_pipeline_is_reported_for_a_cold_and_a_warm_pass_with_the_same_rankings() {
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelDirectory(Fixtures.tinyCrossEncoder()).build()) {
            List<RerankPipeline> pipelines = List.of(new DensePipeline(null),
                    CascadePipeline.fixedDepth(model, tiny.corpus(), 2, 150, true));
            EvalResult result = Evaluator.builder().dataset(tiny)
                    .firstStage(new CandidateFileFirstStage(Fixtures.tinyCandidates(), 150))
                    .pipelines(pipelines).build().run();

            assertThat(result.pipelines()).extracting(PipelineResult::name)
                    .containsExactly("dense", "ce@2", "ce@2 warm");
            PipelineResult cold = result.pipeline("ce@2");
            PipelineResult warm = result.pipeline("ce@2 warm");
            assertThat(cold.cache()).isEqualTo("cold");
            assertThat(cold.cacheHitsPerQuery()).as("the warm-up query's scores were dropped").isZero();
            assertThat(warm.cache()).isEqualTo("warm");
            assertThat(warm.cacheHitsPerQuery()).isEqualTo(warm.meanDepth()).isEqualTo(7 / 4.0);
            assertThat(warm.ndcg10()).isEqualTo(cold.ndcg10());
            assertThat(warm.mrr10()).isEqualTo(cold.mrr10());
            assertThat(result.pipeline("dense").cache()).isNull();
        }
    }

    @Test
    void max_queries_takes_every_kth_query_in_qrels_order() {
        List<Query> queries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queries.add(new Query("q" + i, "text"));
        }
        assertThat(Evaluator.selectQueries(queries, 3)).extracting(Query::id).containsExactly("q0", "q4", "q8");
        assertThat(Evaluator.selectQueries(queries, 0)).hasSize(10);
        assertThat(Evaluator.selectQueries(queries, 20)).hasSize(10);
    }

    @Test
    void builder_requires_dataset_first_stage_and_pipelines() {
        assertThatThrownBy(() -> Evaluator.builder().build()).hasMessageContaining("dataset");
        assertThatThrownBy(() -> Evaluator.builder().pipelines(List.of())).hasMessageContaining("pipelines");
        assertThatThrownBy(() -> Evaluator.builder().maxQueries(-1)).hasMessageContaining("maxQueries");
    }
}
