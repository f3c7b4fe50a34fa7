package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.ModelIdentity;
import dev.rerank4j.crossencoder.model.ModelBuilder;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BoundedEngine;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.ModelLifecycle;
import dev.rerank4j.crossencoder.runtime.internal.ModelSettings;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.Utils.getOrDefault;

/**
 * A Hugging Face cross-encoder as a LangChain4j {@link ScoringModel}: each (query, passage) pair goes through the
 * model together ({@code [CLS] query [SEP] passage [SEP]}) and the classifier's logit is the score.
 *
 * <p>Thread-safe: one native session serves all threads ({@code maxConcurrentRuns} of them at once).
 * {@link #close()} cancels running calls ({@link InferenceCancelledException}), waits for them, then frees the native
 * resources; scoring afterwards throws {@link IllegalStateException}. Interrupting a scoring thread cancels its call
 * ({@link InferenceCancelledException}); a runtime failure throws {@link InferenceException}.
 *
 * <pre>{@code
 * try (var model = CrossEncoderScoringModel.builder().modelDirectory(Path.of("ms-marco-MiniLM-L-6-v2")).build()) {
 *     List<Double> scores = model.scoreAll(segments, "what is a cross-encoder?").content();
 * }
 * }</pre>
 */
public final class CrossEncoderScoringModel implements ScoringModel, ModelIdentity, AutoCloseable {

    public static final String DEFAULT_MODEL_ID = "cross-encoder/ms-marco-MiniLM-L-6-v2";
    /** Keys of the {@link Response#metadata()} every call returns. */
    public static final String META_STATS = "rerank4j.stats";

    private final ModelDirectory directory;
    private final String source;
    private final InferenceEngine engine;
    private final TextTokenizer tokenizer;
    private final BatchPlanner planner;
    private final boolean normalize;
    private final Path modelFile;
    private final ModelLifecycle lifecycle;
    private volatile String identity;

    private CrossEncoderScoringModel(Builder builder, ModelSettings settings) {
        this.source = settings.source();
        this.directory = settings.openModelDirectory();
        int maxLength = resolveMaxLength(builder.maxLength, directory);
        EngineOptions options = settings.engineOptions();
        this.modelFile = InferenceEngines.modelFile(directory, options);
        this.planner = settings.batchPlanner(maxLength);
        this.normalize = getOrDefault(builder.normalize, false);
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength);
        InferenceEngine engine;
        try {
            engine = InferenceEngines.open(directory, options);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        this.engine = engine;
        this.lifecycle = new ModelLifecycle(CrossEncoderScoringModel.class.getSimpleName(), engine, tokenizer);
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
        return lifecycle.call(() -> score(query, passages));
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
            BoundedEngine.TimedRun run = lifecycle.runTimed(batch);
            queueNanos += run.queueNanos();
            OutputTensor logits = run.output();
            if (logits.rowSize() != 1 || logits.shape()[0] != batchRows.length) {
                throw new InferenceException("Model " + modelFile + " returned shape " + Arrays.toString(logits.shape())
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
     * Source + SHA-256 of what determines the scores ({@link ModelDirectory#contentSha256}: config.json,
     * tokenizer.json, {@link #modelFile()} and the ONNX external data beside it; computed once, on first use) + max
     * length + normalisation.
     */
    @Override
    public String modelIdentity() {
        String id = identity;
        if (id == null) {
            id = source + "|sha256=" + directory.contentSha256(modelFile) + "|maxLength=" + maxLength()
                    + "|normalize=" + normalize;
            identity = id;
        }
        return id;
    }

    /**
     * Frees the native session and tokenizer. Calls running at that moment are cancelled (they throw
     * {@link InferenceCancelledException}; a running ONNX Runtime batch is terminated) and waited for; calls started
     * afterwards throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /** Scores in input order plus how they were computed. */
    public record ScoredBatch(double[] scores, ScoringStats stats) {
    }

    /**
     * Model source and runtime options shared with the other model builders ({@link ModelBuilder}), plus
     * {@link #maxLength} and {@link #normalize}. Without modelDirectory or modelId the hub model
     * {@value #DEFAULT_MODEL_ID} is used.
     */
    public static final class Builder extends ModelBuilder<Builder> {
        private Integer maxLength;
        private Boolean normalize;

        /** Tokens per pair, special tokens included; default the config's max_length, capped by max positions. */
        public Builder maxLength(Integer maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Apply a sigmoid to the logits (scores in (0, 1)); default false: raw logits. */
        public Builder normalize(Boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        @Override
        protected String defaultModelId() {
            return DEFAULT_MODEL_ID;
        }

        public CrossEncoderScoringModel build() {
            validate();
            if (maxLength != null && maxLength < 4) {
                throw new IllegalArgumentException("maxLength must be >= 4, but is: " + maxLength);
            }
            return new CrossEncoderScoringModel(this, settings());
        }
    }
}
