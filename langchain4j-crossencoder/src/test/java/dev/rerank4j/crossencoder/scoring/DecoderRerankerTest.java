package dev.rerank4j.crossencoder.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Decoder LLM rerankers through the public scorer, on the tiny Qwen3-architecture fixtures: a sequence-classification
 * conversion and a causal-LM export with past key/values (with and without the load-time graph cut). Expected
 * scores come from golden.json (PyTorch, one pair at a time, prompts built from the model cards in Python).
 */
class DecoderRerankerTest {

    static final String SEQ_CLS = "tiny-qwen3-reranker-seq-cls";
    static final String CAUSAL = "tiny-qwen3-reranker-causal";

    private static final Map<String, CrossEncoderScoringModel> SCORERS = new ConcurrentHashMap<>();

    /** A scorer per (shape, template, maxLength, instruction), loaded once: each load reads an 11 MB tokenizer. */
    static CrossEncoderScoringModel scorer(String shape, String template, int maxLength, String instruction) {
        String key = shape + "|" + template + "|" + maxLength + "|" + instruction;
        return SCORERS.computeIfAbsent(key, k -> CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture(shape.equals("seq-cls") ? SEQ_CLS : CAUSAL))
                .promptTemplate(PromptTemplate.builtIn(template))
                .maxLength(maxLength)
                .instruction(instruction)
                .logitsGraphCut(!shape.equals("causal-uncut"))
                // uncut: a budget that admits one maxLength prompt (the test prompts are short)
                .logitsMemoryBudget((long) maxLength * 151_936 * Float.BYTES)
                .batchSize(4)
                .build());
    }

    @AfterAll
    static void closeAll() {
        SCORERS.values().forEach(CrossEncoderScoringModel::close);
    }

    static JsonNode golden(String fixture) {
        return TestModels.readJson(TestModels.decoderFixture(fixture).resolve("golden.json"));
    }

    /** Cases grouped by what the scorer is built with (max length and instruction). */
    static Map<List<Object>, List<JsonNode>> groups(JsonNode cases) {
        Map<List<Object>, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode c : cases) {
            String instruction = c.get("instruction").isNull() ? null : c.get("instruction").asText();
            groups.computeIfAbsent(java.util.Arrays.asList(c.get("max_length").asInt(), instruction),
                    k -> new ArrayList<>()).add(c);
        }
        return groups;
    }

    @ParameterizedTest
    @ValueSource(strings = {"seq-cls", "causal", "causal-uncut"})
    void reproduces_the_golden_qwen3_reranker_scores(String shape) {
        JsonNode golden = golden(shape.equals("seq-cls") ? SEQ_CLS : CAUSAL);
        double tolerance = golden.get("tolerance").asDouble();
        int checked = 0;
        for (Map.Entry<List<Object>, List<JsonNode>> group : groups(golden.at("/templates/qwen3-reranker")).entrySet()) {
            CrossEncoderScoringModel scorer = scorer(shape, "qwen3-reranker", (Integer) group.getKey().get(0),
                    (String) group.getKey().get(1));
            for (JsonNode c : group.getValue()) {
                // scorePassages: LangChain4j's TextSegment refuses the empty document of one case
                double score = scorer.scorePassages(c.get("query").asText(), List.of(c.get("document").asText()))
                        .scores()[0];
                assertThat(score).as("%s: %s", shape, c.get("name").asText())
                        .isCloseTo(c.get("score").asDouble(), within(tolerance));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(golden.at("/templates/qwen3-reranker").size());
    }

    @Test
    void reproduces_the_golden_mxbai_rerank_v2_scores_from_the_answer_tokens_1_and_0() {
        JsonNode golden = golden(CAUSAL);
        double tolerance = golden.get("tolerance").asDouble();
        for (Map.Entry<List<Object>, List<JsonNode>> group : groups(golden.at("/templates/mxbai-rerank-v2")).entrySet()) {
            CrossEncoderScoringModel scorer = scorer("causal", "mxbai-rerank-v2", (Integer) group.getKey().get(0),
                    (String) group.getKey().get(1));
            for (JsonNode c : group.getValue()) {
                double score = scorer.scorePassages(c.get("query").asText(), List.of(c.get("document").asText()))
                        .scores()[0];
                assertThat(score).as(c.get("name").asText()).isCloseTo(c.get("score").asDouble(), within(tolerance));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"seq-cls", "causal", "causal-uncut"})
    void a_padded_batch_of_mixed_lengths_scores_like_one_pair_at_a_time(String shape) {
        CrossEncoderScoringModel scorer = scorer(shape, "qwen3-reranker", 8192, null);
        String query = "What is the capital of China?";
        List<String> documents = List.of("Beijing.", "",
                "The capital of China is Beijing, a city of more than twenty million people that has been the seat "
                        + "of government for most of the last eight centuries.",
                "北京是中华人民共和国的首都。", "Paris 🇫🇷 is in France.", "word ".repeat(40));
        CrossEncoderScoringModel.ScoredBatch batched = scorer.scorePassages(query, documents);
        assertThat(batched.stats().batches()).as("a few rows per batch").isLessThan(documents.size());
        assertThat(batched.stats().paddedTokens()).as("padding was exercised")
                .isGreaterThan(batched.stats().realTokens());
        for (int i = 0; i < documents.size(); i++) {
            double alone = scorer.scorePassages(query, List.of(documents.get(i))).scores()[0];
            assertThat(batched.scores()[i]).as("%s document %d", shape, i).isCloseTo(alone, within(1e-4));
        }
    }

    @Test
    void seq_cls_and_causal_exports_of_the_same_weights_agree_and_normalize_gives_p_yes() {
        String query = "capital of france";
        List<TextSegment> documents = List.of(TextSegment.from("Paris is the capital of France."),
                TextSegment.from("Bananas are yellow."));
        List<Double> seqCls = scorer("seq-cls", "qwen3-reranker", 8192, null).scoreAll(documents, query).content();
        List<Double> causal = scorer("causal", "qwen3-reranker", 8192, null).scoreAll(documents, query).content();
        try (CrossEncoderScoringModel normalized = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture(CAUSAL)).normalize(true).build()) {
            List<Double> probabilities = normalized.scoreAll(documents, query).content();
            for (int i = 0; i < documents.size(); i++) {
                assertThat(seqCls.get(i)).isCloseTo(causal.get(i), within(1e-4));
                assertThat(probabilities.get(i)).isCloseTo(1 / (1 + Math.exp(-causal.get(i))), within(1e-6));
            }
            // defaults: the model_type's template (qwen3 -> Qwen3-Reranker's) and its instruction
            assertThat(normalized.promptTemplate()).map(PromptTemplate::name).contains("qwen3-reranker");
            assertThat(normalized.instruction()).contains("Given a web search query, retrieve relevant passages "
                    + "that answer the query");
            assertThat(normalized.maxLength()).isEqualTo(8192);
        }
    }

    @Test
    void cuts_an_over_long_document_inside_the_template_and_reports_it() {
        JsonNode found = null;
        for (JsonNode c : golden(CAUSAL).at("/templates/qwen3-reranker")) {
            found = c.get("name").asText().startsWith("long document") ? c : found;
        }
        JsonNode longCase = Objects.requireNonNull(found);
        CrossEncoderScoringModel scorer = scorer("causal", "qwen3-reranker", longCase.get("max_length").asInt(), null);
        Response<List<Double>> response = scorer.scoreAll(List.of(TextSegment.from(longCase.get("document").asText()),
                TextSegment.from("short")), longCase.get("query").asText());

        assertThat(response.metadata().get(CrossEncoderScoringModel.META_TRUNCATED)).isEqualTo(1);
        assertThat(response.content().get(0)).isCloseTo(longCase.get("score").asDouble(), within(1e-4));
        assertThat(response.tokenUsage().inputTokenCount())
                .isLessThanOrEqualTo(2 * longCase.get("max_length").asInt());

        try (CrossEncoderScoringModel strict = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture(CAUSAL)).maxLength(longCase.get("max_length").asInt())
                .truncation(Truncation.FAIL).build()) {
            assertThatThrownBy(() -> strict.scoreAll(List.of(TextSegment.from("ok"),
                    TextSegment.from(longCase.get("document").asText())), "q"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("segments[1]").hasMessageContaining("maxLength 128");
        }
    }

    @Test
    void the_graph_cut_is_reported_and_uncut_batches_stay_within_the_logits_budget() {
        CrossEncoderScoringModel cut = scorer("causal", "qwen3-reranker", 8192, null);
        assertThat(cut.engineDescription()).contains("logits cut after the last-token gather");

        long bytesPerToken = 151_936L * Float.BYTES;
        try (CrossEncoderScoringModel uncut = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture(CAUSAL)).logitsGraphCut(false)
                .logitsMemoryBudget(200 * bytesPerToken).build()) {
            assertThat(uncut.engineDescription()).doesNotContain("logits cut");
            // the default max length (8192) cannot fit: lowered to the 200 tokens the budget holds
            assertThat(uncut.maxLength()).isEqualTo(200);
            List<TextSegment> documents = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                documents.add(TextSegment.from("document " + i + " about the capital of China"));
            }
            Response<List<Double>> response = uncut.scoreAll(documents, "capital of China");
            ScoringStats stats = (ScoringStats) response.metadata().get(CrossEncoderScoringModel.META_STATS);
            int promptTokens = stats.paddedTokens() / stats.uniquePairs();
            assertThat(promptTokens).isGreaterThan(66); // so at most 3 prompts fit 200 tokens
            assertThat(stats.batches()).isGreaterThanOrEqualTo(3);
            List<Double> expected = cut.scoreAll(documents, "capital of China").content();
            for (int i = 0; i < documents.size(); i++) {
                assertThat(response.content().get(i)).isCloseTo(expected.get(i), within(1e-4));
            }
            assertThatThrownBy(() -> CrossEncoderScoringModel.builder()
                    .modelDirectory(TestModels.decoderFixture(CAUSAL)).logitsGraphCut(false)
                    .logitsMemoryBudget(200 * bytesPerToken).maxLength(1024).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxLength 1024").hasMessageContaining("logitsMemoryBudget");
        }
    }

    @Test
    void eight_threads_give_the_sequential_scores() throws Exception {
        CrossEncoderScoringModel scorer = scorer("causal", "qwen3-reranker", 8192, null);
        List<String> queries = List.of("capital of china", "vitamin d", "pizza 🍕", "北京");
        List<TextSegment> pool = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pool.add(TextSegment.from("passage " + i + " about " + queries.get(i % 4) + " " + "x".repeat(i * 3)));
        }
        List<List<TextSegment>> requests = new ArrayList<>();
        for (int r = 0; r < 16; r++) {
            requests.add(pool.subList(r % 6, r % 6 + 8));
        }
        List<List<Double>> sequential = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            sequential.add(scorer.scoreAll(requests.get(r), queries.get(r % 4)).content());
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Double>>> futures = new ArrayList<>();
            for (int r = 0; r < requests.size(); r++) {
                int request = r;
                futures.add(threads.submit(() -> scorer.scoreAll(requests.get(request), queries.get(request % 4)).content()));
            }
            for (int r = 0; r < requests.size(); r++) {
                assertThat(futures.get(r).get(120, TimeUnit.SECONDS)).as("request %d", r).isEqualTo(sequential.get(r));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void the_instruction_and_template_are_part_of_the_cache_identity() {
        String plain = scorer("causal", "qwen3-reranker", 8192, null).modelIdentity();
        String instructed = scorer("causal", "qwen3-reranker", 8192, "Find code").modelIdentity();
        String mxbai = scorer("causal", "mxbai-rerank-v2", 8192, null).modelIdentity();
        assertThat(plain).isNotEqualTo(instructed).isNotEqualTo(mxbai);
        assertThat(instructed).contains("Find code");
    }
}
