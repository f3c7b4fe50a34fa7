package dev.rerank4j.examples.chat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.rerank4j.crossencoder.rag.IngestReport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The conversation loop: reads questions and commands line by line, answers through LangChain4j
 * {@link AiServices} (or, without a chat model, shows the reranked passages), and never stops on bad input.
 */
public final class ChatBot {

    static final String SYSTEM_PROMPT = """
            You are rerank4j-chat, an assistant that answers questions from the passages given with each question.
            Use only that information. Cite the passages you used by their id in square brackets, e.g. [rag#2].
            If the passages do not contain the answer, say that you do not know.""";
    static final String HELP = """
            Commands:
              /compare [question]   the top-%d of dense only, cross-encoder and ColBERT side by side
                                    (default: the last question)
              /reranker [ce|colbert|none]   show or switch the reranker
              /ingest DIR           load a folder (txt, md, html, pdf) or a BEIR corpus; re-embeds only changes
              /clear                forget the conversation
              /help                 this list
              /quit                 leave (also /exit, or end of input)
            Anything else is a question.""";

    private final RagPipeline pipeline;
    private final ChatBackend backend;
    private final ChatOptions options;
    private final PrintStream out;
    private final Function<RerankerKind, String> whyUnavailable;
    private final ChatMemory memory;
    private final Map<RerankerKind, Assistant> assistants = new EnumMap<>(RerankerKind.class);
    private final Map<RerankerKind, StreamingAssistant> streamingAssistants = new EnumMap<>(RerankerKind.class);
    private RerankerKind reranker;
    private String lastQuestion;

    public ChatBot(RagPipeline pipeline, ChatBackend backend, RerankerKind reranker, ChatOptions options,
                   PrintStream out, Function<RerankerKind, String> whyUnavailable) {
        if (pipeline == null || reranker == null || options == null || out == null) {
            throw new IllegalArgumentException("pipeline, reranker, options and out cannot be null");
        }
        this.pipeline = pipeline;
        this.backend = backend;
        this.options = options;
        this.out = out;
        this.whyUnavailable = whyUnavailable != null ? whyUnavailable : kind -> "not loaded";
        this.memory = MessageWindowChatMemory.withMaxMessages(Math.max(2, options.memoryMessages));
        this.reranker = reranker;
    }

    public RerankerKind reranker() {
        return reranker;
    }

    /** Reads until /quit or end of input. */
    public void run(BufferedReader in, boolean interactive) {
        try {
            while (true) {
                if (interactive) {
                    out.print("you> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || !handle(line)) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the input", e);
        }
        out.println("Bye.");
    }

    /** One line of input; false when the user asked to leave. Errors are reported, never thrown. */
    public boolean handle(String line) {
        String input = line == null ? "" : line.strip();
        try {
            if (input.isEmpty()) {
                out.println("Please type a question, or /help for the commands.");
                return true;
            }
            if (input.startsWith("/")) {
                return command(input);
            }
            if (input.length() > options.maxQuestionChars) {
                out.printf(Locale.ROOT, "Your question has %d characters; the limit is %d (--max-question-chars). "
                        + "Please shorten it.%n", input.length(), options.maxQuestionChars);
                return true;
            }
            lastQuestion = input;
            answer(input);
        } catch (RuntimeException e) {
            out.println("Error: " + message(e) + " (the bot keeps running)");
        }
        return true;
    }

    private boolean command(String input) {
        String[] parts = input.split("\\s+", 2);
        String name = parts[0].toLowerCase(Locale.ROOT);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        switch (name) {
            case "/quit", "/exit", "/bye" -> {
                return false;
            }
            case "/help", "/?" -> out.println(String.format(Locale.ROOT, HELP, pipeline.keep()));
            case "/compare" -> compare(arg.isEmpty() ? lastQuestion : arg);
            case "/reranker" -> switchReranker(arg);
            case "/ingest" -> ingest(arg);
            case "/clear" -> {
                memory.clear();
                out.println("Conversation forgotten.");
            }
            default -> out.println("Unknown command " + parts[0] + ". Type /help for the commands.");
        }
        return true;
    }

    private void switchReranker(String arg) {
        if (arg.isEmpty()) {
            out.println("Reranker: " + reranker.option() + " (" + reranker.label() + ")");
            return;
        }
        RerankerKind kind = RerankerKind.parse(arg);
        if (!pipeline.available(kind)) {
            out.println("Cannot switch to " + kind.option() + ": " + whyUnavailable.apply(kind));
            return;
        }
        reranker = kind;
        out.println("Reranker: " + kind.option() + " (" + kind.label() + ")");
    }

    private void ingest(String arg) {
        if (arg.isEmpty()) {
            out.println("Usage: /ingest DIR");
            return;
        }
        CorpusLoader.Corpus corpus;
        try {
            corpus = CorpusLoader.load(Path.of(arg));
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage() + " (the current corpus stays loaded)");
            return;
        }
        IngestReport report = pipeline.index().sync(corpus.passages());
        out.println(ChatApp.describe(corpus, report));
    }

    private void answer(String question) {
        if (backend == null) {
            TurnTrace trace = pipeline.begin(reranker);
            List<Content> top = pipeline.retrieve(question, reranker);
            out.println("[retrieval-only: no chat model is configured; top " + top.size() + " passages, "
                    + reranker.label() + "]");
            printPassages(question, top);
            out.println(trace.summary());
            return;
        }
        TurnTrace trace = pipeline.begin(reranker);
        long start = System.nanoTime();
        List<Content> sources;
        try {
            sources = backend.streaming() != null ? streamAnswer(question) : blockingAnswer(question);
        } catch (RuntimeException e) {
            out.println();
            out.println("The chat model could not answer (" + backend.description() + "): " + message(e));
            out.println("Showing the retrieved passages instead; the bot keeps running.");
            trace = pipeline.begin(reranker);
            List<Content> top = pipeline.retrieve(question, reranker);
            printPassages(question, top);
            out.println(trace.summary());
            return;
        }
        trace.generated(Math.max(0, System.nanoTime() - start - trace.retrieveNanos() - trace.rerankNanos()));
        printSources(sources);
        out.println(trace.summary());
    }

    private List<Content> blockingAnswer(String question) {
        Result<String> result = assistant(reranker).chat(question);
        out.println("assistant> " + result.content());
        return result.sources() == null ? List.of() : result.sources();
    }

    private List<Content> streamAnswer(String question) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AtomicReference<List<Content>> sources = new AtomicReference<>(List.of());
        out.print("assistant> ");
        TokenStream stream = streamingAssistant(reranker).chat(question);
        stream.onRetrieved(sources::set)
                .onPartialResponse(token -> {
                    out.print(token);
                    out.flush();
                })
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        try {
            done.get(options.timeoutSeconds + 10L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the answer", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no complete answer within " + (options.timeoutSeconds + 10) + " s");
        }
        out.println();
        return sources.get();
    }

    private Assistant assistant(RerankerKind kind) {
        return assistants.computeIfAbsent(kind, k -> AiServices.builder(Assistant.class)
                .chatModel(backend.model())
                .chatMemory(memory)
                .systemMessageProvider(id -> SYSTEM_PROMPT)
                .retrievalAugmentor(pipeline.augmentor(k))
                .build());
    }

    private StreamingAssistant streamingAssistant(RerankerKind kind) {
        return streamingAssistants.computeIfAbsent(kind, k -> AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(backend.streaming())
                .chatMemory(memory)
                .systemMessageProvider(id -> SYSTEM_PROMPT)
                .retrievalAugmentor(pipeline.augmentor(k))
                .build());
    }

    private void printSources(List<Content> sources) {
        if (sources.isEmpty()) {
            out.println("Sources: none retrieved");
            return;
        }
        out.println("Sources:");
        for (int i = 0; i < sources.size(); i++) {
            Content c = sources.get(i);
            out.printf(Locale.ROOT, "  [%d] %s  \"%s\"  score %.4f%n", i + 1, RagPipeline.id(c), RagPipeline.title(c),
                    RagPipeline.score(c));
        }
    }

    /** Retrieval-only output: each passage with its score and the sentence that matches the question best. */
    private void printPassages(String question, List<Content> top) {
        List<String> best = bestSentences(question, top);
        for (int i = 0; i < top.size(); i++) {
            Content c = top.get(i);
            out.printf(Locale.ROOT, "%2d. %s  \"%s\"  score %.4f%n", i + 1, RagPipeline.id(c), RagPipeline.title(c),
                    RagPipeline.score(c));
            out.println("    best sentence: " + best.get(i));
            out.println("    passage: " + abbreviate(c.textSegment().text(), 240));
        }
        if (top.isEmpty()) {
            out.println("No passages found: the index is empty.");
        }
    }

    /** Scored with the active reranker when there is one (pairs of question and sentence), else by embedding. */
    private List<String> bestSentences(String question, List<Content> top) {
        List<TextSegment> sentences = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            for (String s : Sentences.split(top.get(i).textSegment().text())) {
                sentences.add(TextSegment.from(s));
                owner.add(i);
            }
        }
        List<String> best = new ArrayList<>();
        top.forEach(c -> best.add(""));
        if (sentences.isEmpty()) {
            return best;
        }
        List<Double> scores = sentenceScores(question, sentences);
        double[] bestScore = new double[top.size()];
        java.util.Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
        for (int s = 0; s < sentences.size(); s++) {
            int i = owner.get(s);
            if (scores.get(s) > bestScore[i]) {
                bestScore[i] = scores.get(s);
                best.set(i, sentences.get(s).text());
            }
        }
        return best;
    }

    private List<Double> sentenceScores(String question, List<TextSegment> sentences) {
        ScoringModel scorer = pipeline.scorer(reranker).orElse(null);
        if (scorer != null) {
            return scorer.scoreAll(sentences, question).content();
        }
        var model = pipeline.index().embeddingModel();
        Embedding q = model.embed(question).content();
        List<Embedding> embedded = model.embedAll(sentences).content();
        return embedded.stream().map(e -> CosineSimilarity.between(q, e)).toList();
    }

    /** The three top lists for one question, side by side, with each passage's dense rank (d#). */
    private void compare(String question) {
        if (question == null || question.isBlank()) {
            out.println("Usage: /compare QUESTION (or ask a question first)");
            return;
        }
        if (question.length() > options.maxQuestionChars) {
            out.printf(Locale.ROOT, "The question has %d characters; the limit is %d.%n", question.length(),
                    options.maxQuestionChars);
            return;
        }
        Map<String, Integer> denseRank = new HashMap<>();
        List<EmbeddingMatch<TextSegment>> dense = pipeline.index().search(question, pipeline.denseK());
        for (int i = 0; i < dense.size(); i++) {
            denseRank.putIfAbsent(dense.get(i).embedded().metadata().getString(CorpusLoader.META_ID), i + 1);
        }
        RerankerKind[] kinds = {RerankerKind.NONE, RerankerKind.CE, RerankerKind.COLBERT};
        List<List<String>> columns = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        for (RerankerKind kind : kinds) {
            List<String> cells = new ArrayList<>();
            if (!pipeline.available(kind)) {
                cells.add("(unavailable)");
                summaries.add("[" + kind.option() + "] " + whyUnavailable.apply(kind));
            } else {
                TurnTrace trace = pipeline.begin(kind);
                List<Content> top = pipeline.retrieve(question, kind);
                for (Content c : top) {
                    String id = RagPipeline.id(c);
                    cells.add(String.format(Locale.ROOT, "%s %.3f d%s", id, RagPipeline.score(c),
                            denseRank.getOrDefault(id, 0)));
                }
                summaries.add(trace.summary());
            }
            columns.add(cells);
        }
        int width = 36;
        out.println("Compare: " + abbreviate(question, 100));
        StringBuilder header = new StringBuilder("  # ");
        for (RerankerKind kind : kinds) {
            header.append("| ").append(pad(kind.label() + " (" + kind.option() + ")", width));
        }
        out.println(header);
        int rows = columns.stream().mapToInt(List::size).max().orElse(0);
        for (int r = 0; r < rows; r++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%3d ", r + 1));
            for (List<String> column : columns) {
                row.append("| ").append(pad(r < column.size() ? column.get(r) : "", width));
            }
            out.println(row);
        }
        out.println("(score: reranker score, or cosine for dense; d# = rank in the dense top "
                + pipeline.denseK() + ")");
        summaries.forEach(out::println);
    }

    private static String pad(String text, int width) {
        String cut = text.length() > width - 1 ? text.substring(0, width - 2) + "~" : text;
        return String.format(Locale.ROOT, "%-" + width + "s", cut);
    }

    static String abbreviate(String text, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return text;
    }
}
