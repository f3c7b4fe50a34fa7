package dev.rerank4j.examples.chat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.rag.IngestReport;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Wires the bot: corpus → persisted dense index → rerankers → chat model (if any) → {@link ChatBot}. Separate from
 * {@link ChatMain} so tests can run it with scripted input, a given environment and a scripted chat model.
 */
public final class ChatApp {

    private ChatApp() {
    }

    /** Shared across runs in one JVM: loading the in-jar embedding model takes a moment. */
    private static final class Embeddings {
        static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    /**
     * Runs the bot until /quit or end of input.
     *
     * @param chatOverride a chat model to use instead of the configured one (tests), or null
     * @param env          where OPENAI_* / OLLAMA_* are read from
     * @return the exit code: 0, or 2 for unusable options
     */
    public static int run(ChatOptions options, BufferedReader in, PrintStream out, boolean interactive,
                          ChatBackend chatOverride, Map<String, String> env) {
        RerankerKind requested;
        try {
            requested = RerankerKind.parse(options.reranker);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return 2;
        }
        if (options.denseK < 1 || options.rerankDepth < 1 || options.keep < 1 || options.maxQuestionChars < 1
                || options.latencyBudgetMs < 0) {
            out.println("--dense-k, --rerank-depth, --keep and --max-question-chars must be >= 1, --latency-budget >= 0");
            return 2;
        }

        CorpusLoader.Corpus corpus = loadCorpus(options, out);
        Path storeFile = options.store != null ? options.store : defaultStore(corpus, env);
        long start = System.nanoTime();
        DenseIndex index;
        IngestReport report;
        try {
            index = DenseIndex.builder().embeddingModel(Embeddings.MODEL).storeFile(storeFile)
                    .showProgress(!options.noProgress).build();
            report = index.sync(corpus.passages());
        } catch (UncheckedIOException e) {
            // An unwritable cache folder must not stop the bot: it only costs embedding again next time.
            out.println("Cannot use the store " + storeFile + " (" + e.getMessage() + "); keeping the index in memory only.");
            index = DenseIndex.builder().embeddingModel(Embeddings.MODEL).showProgress(!options.noProgress).build();
            report = index.sync(corpus.passages());
            storeFile = null;
        }
        out.printf(Locale.ROOT, "%s in %.1f s; store %s%n", describe(corpus, report), (System.nanoTime() - start) / 1e9,
                storeFile != null ? storeFile : "none (in memory)");

        try (Rerankers rerankers = Rerankers.load(options, out)) {
            RerankerKind kind = requested;
            if (rerankers.whyUnavailable(kind) != null) {
                out.println("--reranker " + kind.option() + " is not available (" + rerankers.whyUnavailable(kind)
                        + "); using --reranker none (dense order).");
                kind = RerankerKind.NONE;
            }
            ChatBackend backend = chatOverride;
            if (backend == null) {
                try {
                    backend = ChatBackend.configure(options, env).orElse(null);
                } catch (IllegalArgumentException e) {
                    out.println("Chat model not configured: " + e.getMessage());
                }
            }
            Duration budget = options.latencyBudgetMs > 0 ? Duration.ofMillis(options.latencyBudgetMs) : null;
            RagPipeline pipeline = new RagPipeline(index, rerankers.models(), options.denseK, options.rerankDepth,
                    options.keep, budget);
            out.printf(Locale.ROOT, "Cascade: dense %d -> rerank %d -> keep %d%s; reranker %s%n", options.denseK,
                    options.rerankDepth, options.keep,
                    budget == null ? "" : " (adaptive depth, rerank budget " + budget.toMillis() + " ms)", kind.option());
            if (backend == null) {
                out.println("No chat model is configured: retrieval-only mode (the top " + options.keep
                        + " passages with scores). Set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL) or "
                        + "OLLAMA_MODEL, or use --provider/--base-url/--model, to get answers.");
            } else {
                out.println("Chat model: " + backend.description() + (backend.streaming() != null ? " (streaming)" : ""));
            }
            out.println("Ask a question, /help for commands, /quit to leave.");
            ChatBot bot = new ChatBot(pipeline, backend, kind, options, out, rerankers::whyUnavailable);
            bot.run(in, interactive);
        }
        return 0;
    }

    private static CorpusLoader.Corpus loadCorpus(ChatOptions options, PrintStream out) {
        if (options.corpus != null) {
            try {
                return CorpusLoader.load(options.corpus);
            } catch (IllegalArgumentException e) {
                out.println(e.getMessage() + "; using the built-in corpus instead.");
            }
        }
        return CorpusLoader.builtIn();
    }

    static String describe(CorpusLoader.Corpus corpus, IngestReport report) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "Corpus %s: %d documents, %d passages (embedded %d new, %d changed, removed %d, unchanged %d)",
                corpus.name(), corpus.documents(), corpus.passages().size(), report.added(), report.updated(),
                report.removed(), report.unchanged()));
        if (!corpus.skipped().isEmpty()) {
            text.append(System.lineSeparator()).append("Skipped ").append(corpus.skipped().size()).append(": ")
                    .append(String.join(", ", corpus.skipped().subList(0, Math.min(5, corpus.skipped().size()))))
                    .append(corpus.skipped().size() > 5 ? ", ..." : "");
        }
        return text.toString();
    }

    /** One store per corpus location under the user's cache folder. */
    static Path defaultStore(CorpusLoader.Corpus corpus, Map<String, String> env) {
        String cache = Optional.ofNullable(env.get("XDG_CACHE_HOME")).filter(s -> !s.isBlank())
                .orElse(System.getProperty("user.home") + "/.cache");
        String key = corpus.name();
        if (!key.startsWith("built-in")) {
            key = Path.of(key).toAbsolutePath().normalize().toString();
        }
        String slug = Path.of(key).getFileName() == null ? "corpus"
                : Path.of(key).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(cache, "rerank4j-chat", slug + "-" + sha(key).substring(0, 10) + ".json");
    }

    private static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
