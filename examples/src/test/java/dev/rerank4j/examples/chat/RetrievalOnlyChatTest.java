package dev.rerank4j.examples.chat;

import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class RetrievalOnlyChatTest {

    private static final Pattern PASSAGE_LINE = Pattern.compile("(?m)^\\s*(\\d+)\\. (\\S+)  \".*\"  score (-?\\d+\\.\\d+)$");

    @TempDir
    Path tempDir;

    @Test
    void prints_top_eight_passages_with_scores_and_best_sentence_when_no_chat_model_is_configured() {
        BotRun.Result run = BotRun.run(BotRun.options(tempDir), "what is a cross-encoder?\n/quit\n");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("No chat model is configured").contains("retrieval-only");
        Matcher m = PASSAGE_LINE.matcher(run.output());
        int count = 0;
        double previous = Double.POSITIVE_INFINITY;
        while (m.find()) {
            count++;
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(count);
            double score = Double.parseDouble(m.group(3));
            assertThat(score).as("reranked scores are printed best first").isLessThanOrEqualTo(previous);
            previous = score;
        }
        assertThat(count).isEqualTo(8);
        assertThat(run.output().split("best sentence: ", -1)).hasSize(9);
        assertThat(run.output()).contains("[ce] retrieve").contains("rerank").contains("depth 30").endsWith("Bye." + System.lineSeparator());
    }

    @Test
    void keeps_running_after_empty_too_long_and_unknown_input() {
        String longQuestion = "why ".repeat(600);
        BotRun.Result run = BotRun.run(BotRun.options(tempDir).maxQuestionChars(2000),
                "\n   \n" + longQuestion + "\n/frobnicate\n/reranker colbert\n/ingest " + tempDir.resolve("nowhere")
                        + "\nwhat does ColBERT store?\n/quit\n");

        assertThat(run.output())
                .contains("Please type a question")
                .contains("the limit is 2000")
                .contains("Unknown command /frobnicate")
                .contains("Cannot switch to colbert")
                .contains("corpus folder not found: " + tempDir.resolve("nowhere").toAbsolutePath())
                .contains("Bye.");
        // The question after all the bad input is still answered.
        assertThat(run.output().substring(run.output().indexOf("corpus folder not found")))
                .contains("[retrieval-only")
                .containsPattern("(?m)^ 8\\. ");
    }

    @Test
    void falls_back_to_the_built_in_corpus_with_a_message_when_the_corpus_folder_is_missing() {
        Path missing = tempDir.resolve("no-such-folder");
        BotRun.Result run = BotRun.run(BotRun.options(tempDir).corpus(missing), "/quit\n");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("corpus folder not found: " + missing.toAbsolutePath())
                .contains("using the built-in corpus instead")
                .contains("Corpus built-in");
    }

    @Test
    void compare_shows_dense_cross_encoder_and_colbert_columns_for_the_same_question() {
        BotRun.Result run = BotRun.run(BotRun.options(tempDir), "/compare how does late interaction score passages?\n/quit\n");

        assertThat(run.output()).contains("dense only (none)").contains("cross-encoder (ce)").contains("ColBERT (colbert)");
        assertThat(run.output()).containsPattern("(?m)^  8 \\| \\S+#\\d+ ");
        assertThat(run.output()).contains("[none] retrieve").contains("[ce] retrieve");
    }

    @Test
    void reports_an_unusable_reranker_option_and_falls_back_when_the_model_folder_is_missing() {
        BotRun.Result bad = BotRun.run(BotRun.options(tempDir).reranker("bm25"), "/quit\n");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.output()).contains("unknown reranker 'bm25'");

        Path missing = tempDir.resolve("missing-ce");
        BotRun.Result fallback = BotRun.run(BotRun.options(tempDir).ceModel(missing), "what is MaxSim?\n/quit\n");
        assertThat(fallback.output()).contains("--ce-model folder not found: " + missing.toAbsolutePath())
                .contains("using --reranker none")
                .contains("[none] retrieve");
    }

    @Test
    void a_repeated_question_is_served_from_the_score_cache() {
        BotRun.Result run = BotRun.run(BotRun.options(tempDir), "what is MaxSim?\nwhat is MaxSim?\n/quit\n");

        assertThat(run.output()).contains("[ce] retrieve").contains("cache hits 0)").contains("cache hits 30)");
        assertThat(run.output().indexOf("cache hits 0)")).isLessThan(run.output().indexOf("cache hits 30)"));
    }

    @Test
    void colbert_reranks_and_fills_its_compare_column_when_its_model_is_given() {
        Path tinyColbert = TestModels.requireShared("models/tiny-colbert");
        BotRun.Result run = BotRun.run(BotRun.options(tempDir).colbertModel(tinyColbert).reranker("colbert"),
                "what is MaxSim?\n/compare\n/quit\n");

        assertThat(run.output()).contains("ColBERT: " + tinyColbert).contains("[retrieval-only")
                .contains("[colbert] retrieve").doesNotContain("(unavailable)");
        assertThat(run.output()).containsPattern("(?m)^  8 \\| \\S+#\\d+ .*\\| \\S+#\\d+ .*\\| \\S+#\\d+ ");
    }

    @Test
    void an_unusable_store_location_is_reported_and_the_index_stays_in_memory() throws java.io.IOException {
        Path blocker = java.nio.file.Files.writeString(tempDir.resolve("blocker"), "a file, not a folder");
        BotRun.Result run = BotRun.run(BotRun.options(tempDir).store(blocker.resolve("store.json")), "what is MaxSim?\n/quit\n");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("Cannot use the store " + blocker.resolve("store.json"))
                .contains("store none (in memory)").containsPattern("(?m)^ 8\\. ");
    }

    @Test
    void second_start_reuses_the_persisted_store_without_embedding_again() {
        BotRun.run(BotRun.options(tempDir), "/quit\n");
        BotRun.Result again = BotRun.run(BotRun.options(tempDir), "/quit\n");

        assertThat(again.output()).containsPattern("embedded 0 new, 0 changed, removed 0, unchanged \\d+");
    }
}
