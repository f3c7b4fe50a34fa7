package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.ModelIdentity;
import dev.rerank4j.crossencoder.model.HuggingFaceDownloader;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BoundedEngine;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
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
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hugging Face cross-encoder as a LangChain4j {@link ScoringModel}: each (query, passage) pair goes through the
 * model together ({@code [CLS] query [SEP] passage [SEP]}) and the classifier's logit is the score.
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

    private final ModelDirectory directory;
    private final String source;
    private final BoundedEngine engine;
    private final TextTokenizer tokenizer;
    private final BatchPlanner planner;
    private final boolean normalize;
    private final Path modelFile;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile String identity;

    private CrossEncoderScoringModel(Builder builder) {
        this.source = builder.modelDirectory != null ? builder.modelDirectory.toString() : builder.modelId;
        Path dir = builder.modelDirectory != null ? builder.modelDirectory : builder.downloader().download(
                builder.modelId, builder.revision, builder.onnxFile);
        this.directory = ModelDirectory.of(dir);
        int maxLength = resolveMaxLength(builder.maxLength, directory);
        EngineOptions options = new EngineOptions(builder.engine, builder.device, builder.intraOpThreads,
                builder.onnxFile, builder.outputName, builder.maxConcurrentRuns);
        this.modelFile = InferenceEngines.modelFile(directory, options);
        this.planner = new BatchPlanner(builder.batchSize, Math.max(builder.maxBatchTokens, maxLength), builder.maxPaddingRatio);
        this.normalize = builder.normalize;
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength);
        try {
            this.engine = InferenceEngines.open(directory, options);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    static int resolveMaxLength(Integer requested, ModelDirectory directory) {
        int positions = directory.config().maxPositionEmbeddings();
        if (requested == null) {
            return Math.min(directory.config().maxLength().orElse(positions), positions);
        }
        if (requested < 4) {
            throw new IllegalArgumentException("maxLength must be >= 4, was " + requested);
        }
        if (requested > positions) {
            throw new IllegalArgumentException("maxLength " + requested + " exceeds the model's max_position_embeddings "
                    + positions + " (" + directory.config().file() + ")");
        }
        return requested;
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
                Map.of(META_STATS, scored.stats()));
    }

    /**
     * Scores passages against a query and reports how the work went (batches, tokens, time split). Duplicate
     * passages are computed once; scores follow the input order.
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
        List<EncodedInput> encoded = tokenizer.encodePairs(query, unique);
        long tokenized = System.nanoTime();

        int[] lengths = encoded.stream().mapToInt(EncodedInput::length).toArray();
        double[] uniqueScores = new double[unique.size()];
        int realTokens = 0;
        int paddedTokens = 0;
        long queueNanos = 0;
        int truncated = 0;
        for (EncodedInput input : encoded) {
            truncated += input.truncated() ? 1 : 0;
        }
        List<int[]> batches = planner.plan(lengths);
        for (int[] batchRows : batches) {
            List<EncodedInput> rows = new ArrayList<>(batchRows.length);
            for (int row : batchRows) {
                rows.add(encoded.get(row));
            }
            TokenBatch batch = TokenBatch.of(rows);
            BoundedEngine.TimedRun run = engine.runTimed(batch);
            queueNanos += run.queueNanos();
            OutputTensor logits = run.output();
            if (logits.rowSize() != 1 || logits.shape()[0] != batchRows.length) {
                throw new IllegalStateException("Model " + modelFile + " returned shape " + Arrays.toString(logits.shape())
                        + " for " + batchRows.length + " pairs; a cross-encoder reranker must output one logit per pair");
            }
            for (int r = 0; r < batchRows.length; r++) {
                double logit = logits.data()[r];
                uniqueScores[batchRows[r]] = normalize ? sigmoid(logit) : logit;
            }
            realTokens += batch.realTokens();
            paddedTokens += batch.paddedTokens();
        }
        long end = System.nanoTime();

        double[] scores = new double[passages.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = uniqueScores[slot[i]];
        }
        ScoringStats stats = new ScoringStats(passages.size(), unique.size(), batches.size(), realTokens, paddedTokens,
                tokenized - start, end - tokenized - queueNanos, queueNanos, truncated);
        return new ScoredBatch(scores, stats);
    }

    private static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
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

    public int maxLength() {
        return tokenizer.maxLength();
    }

    public boolean normalize() {
        return normalize;
    }

    public String engineDescription() {
        return engine.description();
    }

    /** Tokenizer shared with other components that need exact token counts (e.g. the depth policy). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Source + SHA-256 of {@link #modelFile()} and of the ONNX external-data files beside it (weights can live
     * there; computed once, on first use) + max length + normalisation.
     */
    @Override
    public String modelIdentity() {
        String id = identity;
        if (id == null) {
            id = source + "|sha256=" + sha256(weightFiles()) + "|maxLength=" + maxLength() + "|normalize=" + normalize;
            identity = id;
        }
        return id;
    }

    private List<Path> weightFiles() {
        List<Path> files = new ArrayList<>(List.of(modelFile));
        try (var siblings = Files.list(modelFile.getParent())) {
            siblings.filter(p -> p.getFileName().toString().endsWith("_data") || p.getFileName().toString().endsWith(".data"))
                    .sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list model folder " + modelFile.getParent(), e);
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

        /** Tokens per pair, special tokens included; default the config's max_length, capped by max positions. */
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

        /** Apply a sigmoid to the logits (scores in (0, 1)); default raw logits. */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
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
