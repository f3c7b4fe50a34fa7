package dev.rerank4j.examples.chat;

import dev.rerank4j.crossencoder.testing.TestModels;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the bot with scripted stdin (as when input is piped) and returns what it printed. */
final class BotRun {

    private BotRun() {
    }

    /** Options for tests: the tiny cross-encoder fixture, a store in the test's folder, no chat model from env. */
    static ChatOptions options(Path tempDir) {
        return ChatOptions.defaults()
                .store(tempDir.resolve("store.json"))
                .ceModel(TestModels.resourceModel("tiny-ce"))
                .colbertModel(tempDir.resolve("no-colbert-model"))
                .provider("none")
                .showProgress(false);
    }

    static Result run(ChatOptions options, String script) {
        return run(options, script, null);
    }

    static Result run(ChatOptions options, String script, ChatBackend chat) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = ChatApp.run(options, new BufferedReader(new StringReader(script)), out, false, chat, Map.of());
        return new Result(code, bytes.toString(StandardCharsets.UTF_8));
    }

    record Result(int exitCode, String output) {
    }
}
