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
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.MaxLengthPolicy;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.ModelLifecycle;
import dev.rerank4j.crossencoder.runtime.internal.ModelSettings;
import dev.rerank4j.crossencoder.runtime.internal.ModelSignature;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/**
 * A Hugging Face cross-encoder as a LangChain4j {@link ScoringModel}: each (query, passage) pair goes through the
 * model together, with the tokenizer's own pair template ({@code [CLS] query [SEP] passage [SEP]} for BERT,
 * {@code <s> query </s></s> passage </s>} for XLM-RoBERTa), and the classifier's logit is the score. BERT,
 * XLM-RoBERTa/RoBERTa, DeBERTa-v2/v3 and ModernBERT exports load as published (see docs/model-families.md): the
 * inputs fed are those the ONNX graph declares, positions and padding follow the family, the output layout is
 * probed at load time and the max length is chosen by {@link MaxLengthPolicy}.
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
    private final ModelLifecycle lifecycle;
    private volatile String identity;

    private CrossEncoderScoringModel(Builder builder, ModelSettings settings) {
        this.source = settings.source();
        this.directory = settings.openModelDirectory();
        ModelFamily family = ModelFamily.of(directory.config());
        MaxLengthPolicy.Choice maxLength = MaxLengthPolicy.choose(builder.maxLength, directory, family);
        EngineOptions options = settings.engineOptions();
        this.modelFile = InferenceEngines.modelFile(directory, options);
        this.planner = settings.batchPlanner(maxLength.maxLength());
        this.normalize = getOrDefault(builder.normalize, false);
        this.truncation = getOrDefault(builder.truncation, Truncation.PASSAGE_FIRST);
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength.maxLength());
        InferenceEngine engine = null;
        try {
            engine = InferenceEngines.open(directory, options);
            ModelSignature signature = engine.signature();
            this.head = ScoreHead.choose(signature.output(), signature.outputName(), directory.config(),
                    builder.labelIndex, builder.label, normalize, modelFile);
            log.info("Loaded {} ({}): maxLength {} ({}); score = {}", modelFile, signature, maxLength.maxLength(),
                    maxLength.reason(), head.describe());
        } catch (RuntimeException e) {
            if (engine != null) {
                engine.close();
            }
            tokenizer.close();
            throw e;
        }
        this.engine = engine;
        this.lifecycle = new ModelLifecycle(CrossEncoderScoringModel.class.getSimpleName(), engine, tokenizer);
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
        TextTokenizer.PairEncodings pairs = tokenizer.encodePairs(query, unique, truncation);
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
            TokenBatch batch = TokenBatch.of(rows, engine.signature().batch());
            OutputTensor logits = lifecycle.run(batch);
            if (logits.shape().length == 0 || logits.shape()[0] != batchRows.length) {
                throw new InferenceException("Model " + modelFile + " returned shape " + Arrays.toString(logits.shape())
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

    public int maxLength() {
        return tokenizer.maxLength();
    }

    public boolean normalize() {
        return normalize;
    }

    public Truncation truncation() {
        return truncation;
    }

    /** How the model is fed and read (family, inputs, padding, output layout), as resolved at load time. */
    public ModelSignature signature() {
        return engine.signature();
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
     * tokenizer.json, {@link #modelFile()} and the ONNX external data its graph references; computed once, on first
     * use) + max length + normalisation (+ the label read and the truncation, when not the defaults).
     */
    @Override
    public String modelIdentity() {
        String id = identity;
        if (id == null) {
            id = source + "|sha256=" + directory.contentSha256(modelFile) + "|maxLength=" + maxLength()
                    + "|normalize=" + normalize
                    + (head instanceof ScoreHead.LabelLogit label ? "|label=" + label.index() : "")
                    + (truncation != Truncation.PASSAGE_FIRST ? "|truncation=" + truncation : "");
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
     * {@link #maxLength}, {@link #normalize}, {@link #truncation} and, for multi-label classifiers,
     * {@link #labelIndex} / {@link #label}. Without modelDirectory or modelId the hub model
     * {@value #DEFAULT_MODEL_ID} is used.
     */
    public static final class Builder extends ModelBuilder<Builder> {
        private Integer maxLength;
        private Boolean normalize;
        private Truncation truncation;
        private Integer labelIndex;
        private String label;

        /**
         * Tokens per pair, special tokens included. Default: sentence_bert_config.json max_seq_length, else
         * tokenizer_config.json model_max_length, else what the positions allow; capped by the positions and, for
         * long-context models, by 512 (see docs/model-families.md). Above what the positions allow is an error.
         */
        public Builder maxLength(Integer maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /**
         * Scores in (0, 1): the sigmoid of a single logit, or the softmax probability of the relevant label for
         * multi-label classifiers (default false: raw logits).
         */
        public Builder normalize(Boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /** What to do with pairs longer than maxLength (default {@link Truncation#PASSAGE_FIRST}). */
        public Builder truncation(Truncation truncation) {
            this.truncation = truncation;
            return this;
        }

        /**
         * For classifiers with several labels ({@code [batch, labels]} output): the index of the label whose logit
         * is the score. Default: the id2label entry named relevant, entailment or 1, else the last label.
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

        @Override
        protected String defaultModelId() {
            return DEFAULT_MODEL_ID;
        }

        public CrossEncoderScoringModel build() {
            validate();
            if (maxLength != null && maxLength < 4) {
                throw new IllegalArgumentException("maxLength must be >= 4, but is: " + maxLength);
            }
            if (labelIndex != null && label != null) {
                throw new IllegalArgumentException("labelIndex and label cannot both be set");
            }
            if (labelIndex != null) {
                ensureNotNegative(labelIndex, "labelIndex");
            }
            if (label != null) {
                ensureNotBlank(label, "label");
            }
            return new CrossEncoderScoringModel(this, settings());
        }
    }
}
