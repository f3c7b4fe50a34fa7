package dev.rerank4j.examples.chat;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code java -jar rerank4j-chat.jar [--corpus DIR] [--reranker ce|colbert|none]}: a terminal RAG assistant.
 * Reads questions from the terminal, or line by line from stdin when it is not a terminal.
 */
@Command(name = "rerank4j-chat", mixinStandardHelpOptions = true, version = "rerank4j-chat 0.1.0",
        description = "A LangChain4j RAG assistant with cross-encoder, ColBERT or no reranking (dense 150 -> rerank 30 -> keep 8).")
public final class ChatMain implements Callable<Integer> {

    @Mixin
    ChatOptions options = new ChatOptions();

    public static void main(String[] args) {
        // Native libraries come from the jar; never let DJL try to download at run time.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            // DJL logs a warning on every machine without a usable CUDA driver; the bot runs on CPU by design.
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        }
        System.exit(new CommandLine(new ChatMain()).execute(args));
    }

    @Override
    public Integer call() {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return ChatApp.run(options, in, out, System.console() != null, null, System.getenv());
    }
}
