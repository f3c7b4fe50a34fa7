package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.ModelIdentity;
import dev.rerank4j.crossencoder.model.HuggingFaceDownloader;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.OnnxExternalData;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BatchSpec;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.MaxLengthPolicy;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.ModelSignature;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face cross-encoder as a LangChain4j {@link ScoringModel}: each (query, passage) pair goes through the
 * model together, with the tokenizer's own pair template ({@code [CLS] query [SEP] passage [SEP]} for BERT,
 * {@code <s> query </s></s> passage </s>} for XLM-RoBERTa), and the classifier's logit is the score. BERT,
 * XLM-RoBERTa/RoBERTa, DeBERTa-v2/v3 and ModernBERT exports load as published (see docs/model-families.md): the
 * inputs fed are those the ONNX graph declares, positions and padding follow the family, the output layout is
 * probed at load time and the max length is chosen by {@link MaxLengthPolicy}.
 *
 * <p>Thread-safe: one native session serves all threads. {@link #close()} waits for running calls, then frees
 * the native resources; scoring afterwards throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (var model = CrossEncoderScoringModel.builder().modelDirectory(Path.of("ms-marco-MiniLM-L-6-v2")).build()) {
 *     List<Double> scores = model.scoreAll(segments, "what is a cross-encoder?").content();
 * }
 * }</pre>
 */
public final class CrossEncoderScoringModel implements ScoringModel, ModelIdentity, AutoCloseable {

    public static final String DEFAULT_MODEL_ID = "cross-encoder/ms-marco-MiniLM-L-6-v2";
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;
    /** Keys of the {@link Response#metadata()} every call returns. */
    public static final String META_STATS = "rerank4j.stats";
    /** Number of pairs cut to {@link #maxLength()} in this call (also in {@link ScoringStats#truncatedPairs()}). */
    public static final String META_TRUNCATED = "rerank4j.truncatedPairs";

    private static final Logger log = LoggerFactory.getLogger(CrossEncoderScoringModel.class);

    private final ModelDirectory directory;
    private final String source;
    private final InferenceEngine engine;
    private final TextTokenizer tokenizer;
    private final BatchPlanner planner;
    private final boolean normalize;
    private final Truncation truncation;
    private final ScoreHead head;
    private final Path modelFile;
    private final int maxLength;
    private final BatchSpec batchSpec;
    private final BiFunction<String, List<String>, TextTokenizer.PairEncodings> pairEncoder;
    private final DecoderReranking decoder; // null for encoders
    private final ModelSignature signature;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile String identity;

    private CrossEncoderScoringModel(Builder builder) {
        this.source = builder.modelDirectory != null ? builder.modelDirectory.toString() : builder.modelId;
        Path dir = builder.modelDirectory != null ? builder.modelDirectory : builder.downloader().download(
                builder.modelId, builder.revision, builder.onnxFile);
        this.directory = ModelDirectory.of(dir);
        if (builder.labelIndex != null && builder.label != null) {
            throw new IllegalArgumentException("labelIndex and label cannot both be set");
        }
        ModelFamily family = ModelFamily.of(directory.config());
        if (!family.decoder() && (builder.promptTemplate != null || builder.instruction != null)) {
            throw new IllegalArgumentException("promptTemplate/instruction apply to decoder LLM rerankers; "
                    + directory.config().file() + " is a " + family + " cross-encoder");
        }
        PromptTemplate template = family.decoder() ? DecoderReranking.template(builder.promptTemplate, directory) : null;
        MaxLengthPolicy.Choice maxLength = family.decoder()
                ? DecoderReranking.maxLength(builder.maxLength, template, directory, family)
                : MaxLengthPolicy.choose(builder.maxLength, directory, family);
        EngineOptions options = new EngineOptions(builder.engine, builder.device, builder.intraOpThreads,
                builder.onnxFile, builder.outputName, builder.maxConcurrentRuns)
                .withLastTokenOnly(family.decoder() && builder.logitsGraphCut
                        && !DecoderReranking.sequenceClassification(directory.config()));
        this.modelFile = InferenceEngines.modelFile(directory, options);
        this.normalize = builder.normalize;
        this.truncation = builder.truncation;
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength.maxLength());
        InferenceEngine opened = null;
        try {
            opened = InferenceEngines.open(directory, options);
            ModelSignature signature = opened.signature();
            if (family.decoder()) {
                this.decoder = DecoderReranking.open(template, tokenizer, maxLength, builder.maxLength != null,
                        builder.instruction, signature, new DecoderReranking.ScoreHeadOptions(directory.config(),
                                builder.labelIndex, builder.label, normalize),
                        builder.logitsMemoryBudget, builder.maxBatchTokens, modelFile);
                this.head = decoder.head();
                this.maxLength = decoder.maxLength();
                this.batchSpec = decoder.batchSpec();
                this.pairEncoder = decoder.pairEncoder(truncation);
                this.planner = new BatchPlanner(builder.batchSize, Math.max(decoder.maxBatchTokens(), maxLength()),
                        builder.maxPaddingRatio);
                this.signature = new ModelSignature(signature.family(), signature.inputs(), batchSpec,
                        signature.outputName(), signature.output());
                log.info("Loaded decoder reranker {} ({}; {}): {}; score = {}", modelFile, this.signature,
                        opened.description(), decoder, head.describe());
            } else {
                this.decoder = null;
                this.head = ScoreHead.choose(signature.output(), signature.outputName(), directory.config(),
                        builder.labelIndex, builder.label, normalize, modelFile);
                this.maxLength = maxLength.maxLength();
                this.batchSpec = signature.batch();
                this.pairEncoder = (query, passages) -> tokenizer.encodePairs(query, passages, truncation);
                this.planner = new BatchPlanner(builder.batchSize, Math.max(builder.maxBatchTokens, maxLength()),
                        builder.maxPaddingRatio);
                this.signature = signature;
                log.info("Loaded {} ({}): maxLength {} ({}); score = {}", modelFile, signature, maxLength(),
                        maxLength.reason(), head.describe());
            }
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            tokenizer.close();
            throw e;
        }
        this.engine = opened;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        ScoringArguments.requireValid(segments, query);
        List<String> passages = new ArrayList<>(segments.size());
        for (TextSegment segment : segments) {
            passages.add(segment.text());
        }
        ScoredBatch scored = scorePassages(query, passages);
        List<Double> scores = new ArrayList<>(scored.scores().length);
        for (double score : scored.scores()) {
            scores.add(score);
        }
        return Response.from(List.copyOf(scores), new TokenUsage(scored.stats().realTokens()), null,
                Map.of(META_STATS, scored.stats(), META_TRUNCATED, scored.stats().truncatedPairs()));
    }

    /**
     * Scores passages against a query and reports how the work went (batches, tokens, truncated pairs, time split).
     * Duplicate passages are computed once; scores follow the input order.
     *
     * @throws IllegalArgumentException with {@link Truncation#FAIL}, when a pair is longer than {@link #maxLength()}
     */
    public ScoredBatch scorePassages(String query, List<String> passages) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("CrossEncoderScoringModel is closed");
            }
            return score(query, passages);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private ScoredBatch score(String query, List<String> passages) {
        long start = System.nanoTime();
        if (passages.isEmpty()) {
            return new ScoredBatch(new double[0], ScoringStats.empty());
        }
        Map<String, Integer> uniqueIndex = new HashMap<>();
        List<String> unique = new ArrayList<>();
        int[] slot = new int[passages.size()];
        for (int i = 0; i < passages.size(); i++) {
            slot[i] = uniqueIndex.computeIfAbsent(passages.get(i), text -> {
                unique.add(text);
                return unique.size() - 1;
            });
        }
        TextTokenizer.PairEncodings pairs = pairEncoder.apply(query, unique);
        List<EncodedInput> encoded = pairs.inputs();
        if (truncation == Truncation.FAIL) {
            failOnOverLongPair(pairs, slot);
        }
        long tokenized = System.nanoTime();

        int[] lengths = encoded.stream().mapToInt(EncodedInput::length).toArray();
        double[] uniqueScores = new double[unique.size()];
        int realTokens = 0;
        int paddedTokens = 0;
        List<int[]> batches = planner.plan(lengths);
        for (int[] batchRows : batches) {
            List<EncodedInput> rows = new ArrayList<>(batchRows.length);
            for (int row : batchRows) {
                rows.add(encoded.get(row));
            }
            TokenBatch batch = TokenBatch.of(rows, batchSpec);
            OutputTensor logits = engine.run(batch);
            if (logits.shape().length == 0 || logits.shape()[0] != batchRows.length) {
                throw new IllegalStateException("Model " + modelFile + " returned shape " + Arrays.toString(logits.shape())
                        + " for " + batchRows.length + " pairs; expected " + engine.signature().output());
            }
            for (int r = 0; r < batchRows.length; r++) {
                uniqueScores[batchRows[r]] = head.score(logits, r, batch);
            }
            realTokens += batch.realTokens();
            paddedTokens += batch.paddedTokens();
        }
        long end = System.nanoTime();

        double[] scores = new double[passages.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = uniqueScores[slot[i]];
        }
        int truncated = 0;
        for (int i = 0; i < scores.length; i++) {
            truncated += pairs.truncated()[slot[i]] ? 1 : 0;
        }
        ScoringStats stats = new ScoringStats(passages.size(), unique.size(), batches.size(), realTokens, paddedTokens,
                truncated, tokenized - start, end - tokenized);
        return new ScoredBatch(scores, stats);
    }

    private void failOnOverLongPair(TextTokenizer.PairEncodings pairs, int[] slot) {
        for (int i = 0; i < slot.length; i++) {
            if (pairs.truncated()[slot[i]]) {
                throw new IllegalArgumentException("segments[" + i + "] and the query need "
                        + pairs.inputs().get(slot[i]).length() + " tokens, more than maxLength " + maxLength()
                        + " (truncation FAIL); shorten the text or choose Truncation.PASSAGE_FIRST");
            }
        }
    }

    /** The loaded model directory. */
    public ModelDirectory modelDirectory() {
        return directory;
    }

    /** The model file the engine runs (for identity, cache keys and reports). */
    public Path modelFile() {
        return modelFile;
    }

    /** Where the model came from: a directory or a hub id. */
    public String source() {
        return source;
    }

    /** Tokens per pair, special tokens (or, for decoder rerankers, the whole prompt) included. */
    public int maxLength() {
        return maxLength;
    }

    /** The prompt template of a decoder LLM reranker; empty for cross-encoders. */
    public Optional<PromptTemplate> promptTemplate() {
        return decoder == null ? Optional.empty() : Optional.of(decoder.template());
    }

    /** The instruction a decoder LLM reranker's prompts carry (the caller's, else the template's default). */
    public Optional<String> instruction() {
        return decoder == null ? Optional.empty() : Optional.ofNullable(decoder.encoder().instruction());
    }

    public boolean normalize() {
        return normalize;
    }

    public Truncation truncation() {
        return truncation;
    }

    /** How the model is fed and read (family, inputs, padding, output layout), as resolved at load time. */
    public ModelSignature signature() {
        return signature;
    }

    public String engineDescription() {
        return engine.description();
    }

    /** Tokenizer shared with other components that need exact token counts (e.g. the depth policy). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Source + SHA-256 of {@link #modelFile()} and of the ONNX external-data files its graph references (weights
     * live there; computed once, on first use) + max length + normalisation (+ the label read and the truncation,
     * when not the defaults).
     */
    @Override
    public String modelIdentity() {
        String id = identity;
        if (id == null) {
            id = source + "|sha256=" + sha256(weightFiles()) + "|maxLength=" + maxLength() + "|normalize=" + normalize
                    + (head instanceof ScoreHead.LabelLogit label ? "|label=" + label.index() : "")
                    + (truncation != Truncation.PASSAGE_FIRST ? "|truncation=" + truncation : "")
                    + (decoder != null ? decoder.identity() : "");
            identity = id;
        }
        return id;
    }

    private List<Path> weightFiles() {
        List<Path> files = new ArrayList<>(List.of(modelFile));
        if (modelFile.getFileName().toString().endsWith(".onnx")) {
            for (String location : OnnxExternalData.locations(modelFile)) {
                files.add(modelFile.getParent().resolve(location));
            }
        }
        return files;
    }

    private static String sha256(List<Path> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot hash model file " + file, e);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            engine.close();
            tokenizer.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Scores in input order plus how they were computed. */
    public record ScoredBatch(double[] scores, ScoringStats stats) {
    }

    public static final class Builder {
        private Path modelDirectory;
        private String modelId = DEFAULT_MODEL_ID;
        private String revision = "main";
        private Path cacheDirectory;
        private boolean offline;
        private String endpoint;
        private boolean showProgress;
        private EngineKind engine = EngineKind.AUTO;
        private Device device = Device.cpu();
        private String onnxFile;
        private String outputName;
        private int intraOpThreads;
        private int maxConcurrentRuns;
        private Integer maxLength;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
        private boolean normalize;
        private double maxPaddingRatio = BatchPlanner.DEFAULT_MAX_PADDING_RATIO;
        private Truncation truncation = Truncation.PASSAGE_FIRST;
        private Integer labelIndex;
        private String label;
        private PromptTemplate promptTemplate;
        private String instruction;
        private boolean logitsGraphCut = true;
        private long logitsMemoryBudget = DecoderReranking.DEFAULT_LOGITS_MEMORY_BUDGET;

        /** A local model in Hugging Face layout; never touches the network. */
        public Builder modelDirectory(Path modelDirectory) {
            if (modelDirectory == null) {
                throw new IllegalArgumentException("modelDirectory cannot be null");
            }
            this.modelDirectory = modelDirectory;
            return this;
        }

        /** A Hugging Face repository id, downloaded once into the cache (default {@value #DEFAULT_MODEL_ID}). */
        public Builder modelId(String modelId) {
            if (modelId == null || modelId.isBlank()) {
                throw new IllegalArgumentException("modelId cannot be blank");
            }
            this.modelId = modelId;
            return this;
        }

        public Builder revision(String revision) {
            this.revision = revision;
            return this;
        }

        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
            return this;
        }

        /** Use only the cache; fail with a clear message when the model is not there. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** Hub base URL (default {@code $HF_ENDPOINT} or https://huggingface.co). */
        public Builder hubEndpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        public Builder engine(EngineKind engine) {
            if (engine == null) {
                throw new IllegalArgumentException("engine cannot be null");
            }
            this.engine = engine;
            return this;
        }

        public Builder device(Device device) {
            if (device == null) {
                throw new IllegalArgumentException("device cannot be null");
            }
            this.device = device;
            return this;
        }

        /** A specific ONNX file, relative to the model directory, e.g. {@code onnx/model_qint8.onnx}. */
        public Builder onnxFile(String onnxFile) {
            this.onnxFile = onnxFile;
            return this;
        }

        public Builder outputName(String outputName) {
            this.outputName = outputName;
            return this;
        }

        /** Threads per operator (0 = the runtime's default). */
        public Builder intraOpThreads(int intraOpThreads) {
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
            }
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /**
         * Model runs allowed at once across all threads using this scorer (default: cores / intraOpThreads, i.e. 1
         * when each run uses every core); further requests queue instead of oversubscribing the cores.
         */
        public Builder maxConcurrentRuns(int maxConcurrentRuns) {
            if (maxConcurrentRuns < 0) {
                throw new IllegalArgumentException("maxConcurrentRuns must be >= 0, was " + maxConcurrentRuns);
            }
            this.maxConcurrentRuns = maxConcurrentRuns;
            return this;
        }

        /**
         * Tokens per pair, special tokens included. Default: sentence_bert_config.json max_seq_length, else
         * tokenizer_config.json model_max_length, else what the positions allow; capped by the positions and, for
         * long-context models, by 512 (see docs/model-families.md). Above what the positions allow is an error.
         */
        public Builder maxLength(Integer maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Upper bound of padded tokens (rows x longest row) in one batch. */
        public Builder maxBatchTokens(int maxBatchTokens) {
            if (maxBatchTokens < 1) {
                throw new IllegalArgumentException("maxBatchTokens must be >= 1, was " + maxBatchTokens);
            }
            this.maxBatchTokens = maxBatchTokens;
            return this;
        }

        /**
         * Largest share of a row that may be padding before a shorter row starts a new batch (default 0.1; 1 lets
         * batches fill up to batchSize / maxBatchTokens whatever the lengths).
         */
        public Builder maxPaddingRatio(double maxPaddingRatio) {
            if (!(maxPaddingRatio >= 0 && maxPaddingRatio <= 1)) {
                throw new IllegalArgumentException("maxPaddingRatio must be in [0, 1], was " + maxPaddingRatio);
            }
            this.maxPaddingRatio = maxPaddingRatio;
            return this;
        }

        /**
         * Scores in (0, 1): the sigmoid of a single logit, or the softmax probability of the relevant label for
         * multi-label classifiers; default raw logits.
         */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** What to do with pairs longer than maxLength (default {@link Truncation#PASSAGE_FIRST}). */
        public Builder truncation(Truncation truncation) {
            if (truncation == null) {
                throw new IllegalArgumentException("truncation cannot be null");
            }
            this.truncation = truncation;
            return this;
        }

        /**
         * For classifiers with several labels ({@code [batch, labels]} output): the index of the label whose logit is
         * the score. Default: the id2label entry named relevant, entailment or 1, else the last label.
         */
        public Builder labelIndex(Integer labelIndex) {
            this.labelIndex = labelIndex;
            return this;
        }

        /** Like {@link #labelIndex(Integer)}, by the label's name in config.json id2label. */
        public Builder label(String label) {
            this.label = label;
            return this;
        }

        /**
         * Decoder LLM rerankers: the prompt around query and document. Default: the model directory's
         * {@value PromptTemplate#MODEL_FILE}, else the built-in template of the config's {@code model_type}
         * ({@code qwen3} → Qwen3-Reranker's, {@code qwen2} → mxbai-rerank-v2's). See docs/llm-rerankers.md.
         */
        public Builder promptTemplate(PromptTemplate promptTemplate) {
            this.promptTemplate = promptTemplate;
            return this;
        }

        /**
         * Decoder LLM rerankers: the task instruction in the prompt (Qwen3-Reranker's {@code <Instruct>}, mxbai's
         * {@code instruction:} line). Default: the template's ("Given a web search query, retrieve relevant passages
         * that answer the query" for Qwen3-Reranker; none for mxbai-rerank-v2). Never cut by truncation.
         */
        public Builder instruction(String instruction) {
            this.instruction = instruction;
            return this;
        }

        /**
         * Decoder LLM rerankers exported as causal LMs: cut the graph at load time so that the LM head runs on the
         * last token only (default true; see docs/llm-rerankers.md). With false, or for a graph that cannot be
         * cut, batches are bounded by {@link #logitsMemoryBudget(long)} instead.
         */
        public Builder logitsGraphCut(boolean logitsGraphCut) {
            this.logitsGraphCut = logitsGraphCut;
            return this;
        }

        /**
         * Bytes one batch's full {@code [batch, sequence, vocab]} float32 logits may take when the graph computes
         * them at every position (default 512 MiB; each token costs vocab x 4 bytes, ~600 KB for Qwen). The process
         * holds about twice this per running batch (the runtime's output and its copy).
         */
        public Builder logitsMemoryBudget(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("logitsMemoryBudget must be >= 1 byte, was " + bytes);
            }
            this.logitsMemoryBudget = bytes;
            return this;
        }

        HuggingFaceDownloader downloader() {
            return HuggingFaceDownloader.builder()
                    .endpoint(endpoint)
                    .cacheDirectory(cacheDirectory)
                    .offline(offline)
                    .showProgress(showProgress)
                    .build();
        }

        public CrossEncoderScoringModel build() {
            return new CrossEncoderScoringModel(this);
        }
    }
}
