package dev.rerank4j.examples.chat;

import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as the jar runs it: picocli options, questions piped on stdin. */
class ChatMainTest {

    @TempDir
    Path tempDir;

    private InputStream originalIn;
    private PrintStream originalOut;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void redirect() {
        originalIn = System.in;
        originalOut = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setIn(originalIn);
        System.setOut(originalOut);
    }

    private int execute(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        CommandLine cli = new CommandLine(new ChatMain());
        cli.setErr(new java.io.PrintWriter(System.out, true));
        return cli.execute(args);
    }

    @Test
    void answers_piped_questions_in_retrieval_only_mode_and_exits_zero() {
        int code = execute("what is a cross-encoder?\n/quit\n",
                "--store", tempDir.resolve("s.json").toString(),
                "--ce-model", TestModels.resourceModel("tiny-ce").toString(),
                "--colbert-model", tempDir.resolve("none").toString(),
                "--provider", "none", "--no-progress", "--keep", "5");

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(out).contains("Cascade: dense 150 -> rerank 30 -> keep 5").contains("No chat model is configured")
                .containsPattern("(?m)^ 5\\. ").doesNotContainPattern("(?m)^ 6\\. ").doesNotContain("you> ").contains("Bye.");
    }

    @Test
    void reranks_with_a_decoder_llm_reranker_given_as_ce_model() {
        int code = execute("what is a cross-encoder?\n/quit\n",
                "--store", tempDir.resolve("s.json").toString(),
                "--ce-model", TestModels.decoderFixture("tiny-qwen3-reranker-causal").toString(),
                "--ce-instruction", "Given a question about rerank4j, retrieve passages that answer it",
                "--colbert-model", tempDir.resolve("none").toString(),
                "--provider", "none", "--no-progress", "--keep", "3", "--rerank-depth", "6");

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(out).contains("Cross-encoder: ").contains("logits cut after the last-token gather")
                .contains("Cascade: dense 150 -> rerank 6 -> keep 3").doesNotContain("cross-encoder unavailable")
                .containsPattern("(?m)^ 3\\. ").doesNotContainPattern("(?m)^ 4\\. ");
    }

    @Test
    void an_unknown_option_is_a_usage_error() {
        int code = execute("", "--no-such-option");
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--no-such-option'");
    }
}
