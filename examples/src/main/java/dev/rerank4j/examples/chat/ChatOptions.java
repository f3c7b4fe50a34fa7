package dev.rerank4j.examples.chat;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Command-line options of rerank4j-chat; environment variables fill in the chat endpoint when options are absent. */
public final class ChatOptions {

    @Option(names = "--corpus", paramLabel = "DIR",
            description = "Folder of txt/md/html/pdf documents, or a BEIR folder with corpus.jsonl. Default: the built-in rerank4j docs.")
    Path corpus;

    @Option(names = "--store", paramLabel = "FILE",
            description = "Where the embedded store is persisted (default: under $XDG_CACHE_HOME or ~/.cache/rerank4j-chat/).")
    Path store;

    @Option(names = "--reranker", paramLabel = "KIND", defaultValue = "ce",
            description = "ce, colbert or none (default: ${DEFAULT-VALUE}).")
    String reranker = "ce";

    @Option(names = "--ce-model", paramLabel = "DIR",
            description = "Cross-encoder or decoder LLM reranker (Qwen3-Reranker, mxbai-rerank-v2) folder in Hugging Face layout "
                    + "(default: ../shared/models/minilm-l6-ce when present, else the hub id cross-encoder/ms-marco-MiniLM-L-6-v2).")
    Path ceModel;

    @Option(names = "--ce-instruction", paramLabel = "TEXT",
            description = "Instruction in a decoder LLM reranker's prompt (default: its prompt template's).")
    String ceInstruction;

    @Option(names = "--colbert-model", paramLabel = "DIR",
            description = "ColBERT folder in Hugging Face layout (default: ../shared/models/minilm-l6-colbert when present).")
    Path colbertModel;

    @Option(names = "--dense-k", defaultValue = "150", description = "Dense candidates (default: ${DEFAULT-VALUE}).")
    int denseK = 150;

    @Option(names = "--rerank-depth", defaultValue = "30", description = "Candidates rescored by the reranker (default: ${DEFAULT-VALUE}).")
    int rerankDepth = 30;

    @Option(names = "--keep", defaultValue = "8", description = "Passages kept for the prompt (default: ${DEFAULT-VALUE}).")
    int keep = 8;

    @Option(names = "--latency-budget", paramLabel = "MS", defaultValue = "0",
            description = "Rerank latency budget in ms: adapts the depth and falls back to dense order when exceeded "
                    + "(default: ${DEFAULT-VALUE} = fixed depth, no deadline).")
    long latencyBudgetMs;

    @Option(names = "--provider", defaultValue = "auto",
            description = "Chat model: auto, openai (any OpenAI-compatible endpoint), ollama or none (default: ${DEFAULT-VALUE}: "
                    + "openai when OPENAI_API_KEY or --base-url is set, ollama when OLLAMA_MODEL is set, else none).")
    String provider = "auto";

    @Option(names = "--base-url", description = "Chat endpoint base URL (env OPENAI_BASE_URL / OLLAMA_BASE_URL).")
    String baseUrl;

    @Option(names = "--api-key", description = "API key of the OpenAI-compatible endpoint (env OPENAI_API_KEY).")
    String apiKey;

    @Option(names = "--model", description = "Chat model name (env OPENAI_MODEL / OLLAMA_MODEL).")
    String model;

    @Option(names = "--no-stream", description = "Wait for the whole answer instead of streaming it.")
    boolean noStream;

    @Option(names = "--timeout", defaultValue = "60", description = "Chat model timeout in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 60;

    @Option(names = "--max-question-chars", defaultValue = "2000",
            description = "Longer questions are refused with a message (default: ${DEFAULT-VALUE}).")
    int maxQuestionChars = 2000;

    @Option(names = "--memory", defaultValue = "10", description = "Chat memory window in messages (default: ${DEFAULT-VALUE}).")
    int memoryMessages = 10;

    @Option(names = "--no-progress", description = "No progress bar while embedding.")
    boolean noProgress;

    /** The read-only models/data folder next to the checkout (system property rerank4j.shared.dir overrides). */
    static Path sharedDir() {
        String configured = System.getProperty("rerank4j.shared.dir");
        return Path.of(configured != null ? configured : "../shared").toAbsolutePath().normalize();
    }

    static Path defaultModel(String name) {
        Path dir = sharedDir().resolve("models").resolve(name);
        return Files.isDirectory(dir) ? dir : null;
    }

    /** For tests and embedding code: options without picocli. */
    public static ChatOptions defaults() {
        return new ChatOptions();
    }

    public ChatOptions corpus(Path corpus) {
        this.corpus = corpus;
        return this;
    }

    public ChatOptions store(Path store) {
        this.store = store;
        return this;
    }

    public ChatOptions reranker(String reranker) {
        this.reranker = reranker;
        return this;
    }

    public ChatOptions ceModel(Path ceModel) {
        this.ceModel = ceModel;
        return this;
    }

    public ChatOptions colbertModel(Path colbertModel) {
        this.colbertModel = colbertModel;
        return this;
    }

    public ChatOptions latencyBudgetMs(long latencyBudgetMs) {
        this.latencyBudgetMs = latencyBudgetMs;
        return this;
    }

    public ChatOptions provider(String provider) {
        this.provider = provider;
        return this;
    }

    public ChatOptions baseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
        return this;
    }

    public ChatOptions apiKey(String apiKey) {
        this.apiKey = apiKey;
        return this;
    }

    public ChatOptions model(String model) {
        this.model = model;
        return this;
    }

    public ChatOptions timeoutSeconds(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
        return this;
    }

    public ChatOptions stream(boolean stream) {
        this.noStream = !stream;
        return this;
    }

    public ChatOptions maxQuestionChars(int maxQuestionChars) {
        this.maxQuestionChars = maxQuestionChars;
        return this;
    }

    public ChatOptions showProgress(boolean showProgress) {
        this.noProgress = !showProgress;
        return this;
    }
}
