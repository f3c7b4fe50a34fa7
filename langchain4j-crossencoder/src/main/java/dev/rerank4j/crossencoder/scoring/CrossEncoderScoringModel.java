package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.ModelIdentity;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.model.ModelBuilder;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BatchScheduler;
import dev.rerank4j.crossencoder.runtime.internal.BatchSpec;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.AttentionFusion;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.MaxLengthPolicy;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.ModelLifecycle;
import dev.rerank4j.crossencoder.runtime.internal.ModelSettings;
import dev.rerank4j.crossencoder.runtime.internal.ModelSignature;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/**
 * A Hugging Face cross-encoder as a LangChain4j {@link ScoringModel}: each (query, passage) pair goes through the
 * model together, with the tokenizer's own pair template ({@code [CLS] query [SEP] passage [SEP]} for BERT,
 * {@code <s> query </s></s> passage </s>} for XLM-RoBERTa), and the classifier's logit is the score. BERT,
 * XLM-RoBERTa/RoBERTa, DeBERTa-v2/v3 and ModernBERT exports load as published (see docs/model-families.md): the
 * inputs fed are those the ONNX graph declares, positions and padding follow the family, the output layout is
 * probed at load time and the max length is chosen by {@link MaxLengthPolicy}. Decoder LLM rerankers
 * (Qwen3-Reranker, mxbai-rerank-v2; see docs/llm-rerankers.md) are read through their prompt template
 * ({@link Builder#promptTemplate}, {@link Builder#instruction}) and answer-token logits.
 *
 * <p>Thread-safe: one native session serves all threads, run by the scorer's worker threads
 * ({@code maxConcurrentRuns}; by default one single-threaded run per core, a call's batches spread over them, calls
 * served in arrival order). {@link #close()} cancels running and queued calls ({@link InferenceCancelledException}),
 * waits for them, then frees the native
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
    private final boolean normalize;
    private final Truncation truncation;
    private final ScoreHead head;
    private final Path modelFile;
    private final int maxLength;
    private final BatchSpec batchSpec;
    private final BiFunction<String, List<String>, TextTokenizer.PairEncodings> pairEncoder;
    private final DecoderReranking decoder; // null for encoders
    private final ModelSignature signature;
    private final ModelLifecycle lifecycle;
    private volatile String identity;

    private CrossEncoderScoringModel(Builder builder, ModelSettings settings) {
        this.source = settings.source();
        this.directory = settings.openModelDirectory();
        ModelFamily family = ModelFamily.of(directory.config());
        if (!family.decoder() && (builder.promptTemplate != null || builder.instruction != null)) {
            throw new IllegalArgumentException("promptTemplate/instruction apply to decoder LLM rerankers; "
                    + directory.config().file() + " is a " + family + " cross-encoder");
        }
        PromptTemplate template = family.decoder() ? DecoderReranking.template(builder.promptTemplate, directory) : null;
        MaxLengthPolicy.Choice maxLength = family.decoder()
                ? DecoderReranking.maxLength(builder.maxLength, template, directory, family)
                : MaxLengthPolicy.choose(builder.maxLength, directory, family);
        EngineOptions options = settings.engineOptions().withLastTokenOnly(family.decoder()
                && getOrDefault(builder.logitsGraphCut, true)
                && !DecoderReranking.sequenceClassification(directory.config()));
        if (options.attentionFusion() == AttentionFusion.Mode.ANY_BATCH
                && (settings.maxPaddingRatio() == null || settings.maxPaddingRatio() == 0.0)) {
            // batches will be unpadded (the default bound with fused attention is 0): no If per attention block
            options = options.withAttentionFusion(AttentionFusion.Mode.UNPADDED_BATCHES);
        }
        this.modelFile = InferenceEngines.modelFile(directory, options);
        this.normalize = getOrDefault(builder.normalize, false);
        this.truncation = getOrDefault(builder.truncation, Truncation.PASSAGE_FIRST);
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength.maxLength());
        InferenceEngine opened = null;
        BatchPlanner planner;
        try {
            opened = InferenceEngines.open(directory, options);
            ModelSignature probed = opened.signature();
            if (family.decoder()) {
                this.decoder = DecoderReranking.open(template, tokenizer, maxLength, builder.maxLength != null,
                        builder.instruction, probed, new DecoderReranking.ScoreHeadOptions(directory.config(),
                                builder.labelIndex, builder.label, normalize),
                        getOrDefault(builder.logitsMemoryBudget, DecoderReranking.DEFAULT_LOGITS_MEMORY_BUDGET),
                        settings.maxBatchTokens(), modelFile);
                this.head = decoder.head();
                this.maxLength = decoder.maxLength();
                this.batchSpec = decoder.batchSpec();
                this.pairEncoder = decoder.pairEncoder(truncation);
                planner = new BatchPlanner(settings.batchSize(), Math.max(decoder.maxBatchTokens(), this.maxLength),
                        settings.maxPaddingRatio(opened));
                this.signature = new ModelSignature(probed.family(), probed.inputs(), batchSpec, probed.outputName(),
                        probed.output());
                log.info("Loaded decoder reranker {} ({}; {}): {}; score = {}", modelFile, signature,
                        opened.description(), decoder, head.describe());
            } else {
                this.decoder = null;
                this.head = ScoreHead.choose(probed.output(), probed.outputName(), directory.config(),
                        builder.labelIndex, builder.label, normalize, modelFile);
                this.maxLength = maxLength.maxLength();
                this.batchSpec = probed.batch();
                this.pairEncoder = (query, passages) -> tokenizer.encodePairs(query, passages, truncation);
                planner = settings.batchPlanner(this.maxLength, opened);
                this.signature = probed;
                log.info("Loaded {} ({}; {}): maxLength {} ({}); score = {}", modelFile, signature,
                        opened.description(), this.maxLength, maxLength.reason(), head.describe());
            }
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            tokenizer.close();
            throw e;
        }
        this.engine = opened;
        BatchSpec spec = batchSpec;
        this.lifecycle = new ModelLifecycle(CrossEncoderScoringModel.class.getSimpleName(), engine, tokenizer,
                new BatchScheduler(engine, planner, rows -> TokenBatch.of(rows, spec),
                        InferenceEngines.resolve(directory, options).effectiveConcurrency(),
                        getOrDefault(builder.mergeRequests, false)));
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
        TextTokenizer.PairEncodings pairs = pairEncoder.apply(query, unique);
        List<EncodedInput> encoded = pairs.inputs();
        if (truncation == Truncation.FAIL) {
            failOnOverLongPair(pairs, slot);
        }
        long tokenized = System.nanoTime();

        double[] uniqueScores = new double[unique.size()];
        BatchScheduler.Outcome run = lifecycle.run(encoded, (input, batch, row, logits) -> {
            if (logits.shape().length == 0 || logits.shape()[0] != batch.batchSize()) {
                throw new InferenceException("Model " + modelFile + " returned shape " + Arrays.toString(logits.shape())
                        + " for " + batch.batchSize() + " pairs; expected " + signature.output());
            }
            uniqueScores[input] = head.score(logits, row, batch);
        });
        long end = System.nanoTime();

        double[] scores = new double[passages.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = uniqueScores[slot[i]];
        }
        int truncated = 0;
        for (int i = 0; i < scores.length; i++) {
            truncated += pairs.truncated()[slot[i]] ? 1 : 0;
        }
        ScoringStats stats = new ScoringStats(passages.size(), unique.size(), run.batches(), (int) run.realTokens(),
                (int) run.paddedTokens(), truncated, tokenized - start, end - tokenized - run.queueNanos(),
                run.queueNanos());
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
     * Source + SHA-256 of what determines the scores ({@link ModelDirectory#contentSha256}: config.json,
     * tokenizer.json, {@link #modelFile()} and the ONNX external data its graph references; computed once, on first
     * use) + max length + normalisation (+ the label read and the truncation, when not the defaults, and a decoder
     * reranker's prompt template and instruction).
     */
    @Override
    public String modelIdentity() {
        String id = identity;
        if (id == null) {
            id = source + "|sha256=" + directory.contentSha256(modelFile) + "|maxLength=" + maxLength()
                    + "|normalize=" + normalize
                    + (head instanceof ScoreHead.LabelLogit label ? "|label=" + label.index() : "")
                    + (truncation != Truncation.PASSAGE_FIRST ? "|truncation=" + truncation : "")
                    + (decoder != null ? decoder.identity() : "");
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
     * {@link #labelIndex} / {@link #label}; for decoder LLM rerankers {@link #promptTemplate}, {@link #instruction},
     * {@link #logitsGraphCut} and {@link #logitsMemoryBudget}. Without modelDirectory or modelId the hub model
     * {@value #DEFAULT_MODEL_ID} is used.
     */
    public static final class Builder extends ModelBuilder<Builder> {
        private Integer maxLength;
        private Boolean normalize;
        private Boolean mergeRequests;
        private Truncation truncation;
        private Integer labelIndex;
        private String label;
        private PromptTemplate promptTemplate;
        private String instruction;
        private Boolean logitsGraphCut;
        private Long logitsMemoryBudget;

        /**
         * Tokens per pair, special tokens included. Default: sentence_bert_config.json max_seq_length, else
         * tokenizer_config.json model_max_length, else what the positions allow; capped by the positions and, for
         * long-context models, by 512 (see docs/model-families.md); for decoder rerankers the prompt template's
         * max_length (8192, the model cards'). Above what the positions allow is an error.
         */
        public Builder maxLength(Integer maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /**
         * Scores in (0, 1): the sigmoid of a single logit (for decoder rerankers: of logit(yes) - logit(no), i.e.
         * P(yes)), or the softmax probability of the relevant label for multi-label classifiers; default false: raw
         * logits.
         */
        public Builder normalize(Boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /**
         * Let pairs of concurrent calls share batches (default false): rows that wait at the same time join the same
         * length-sorted batches instead of each call batching only its own. Each call still gets exactly its scores;
         * fp32 ONNX scores are bit-identical either way, but a dynamically quantised (int8) model's scores then
         * depend on what else shared the batch. See docs/performance.md for what it buys.
         */
        public Builder mergeConcurrentRequests(Boolean mergeRequests) {
            this.mergeRequests = mergeRequests;
            return this;
        }

        /** What to do with pairs longer than maxLength (default {@link Truncation#PASSAGE_FIRST}). */
        public Builder truncation(Truncation truncation) {
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
         * cut, batches are bounded by {@link #logitsMemoryBudget(Long)} instead.
         */
        public Builder logitsGraphCut(Boolean logitsGraphCut) {
            this.logitsGraphCut = logitsGraphCut;
            return this;
        }

        /**
         * Bytes one batch's full {@code [batch, sequence, vocab]} float32 logits may take when the graph computes
         * them at every position (default 512 MiB; each token costs vocab x 4 bytes, ~600 KB for Qwen). The process
         * holds about twice this per running batch (the runtime's output and its copy).
         */
        public Builder logitsMemoryBudget(Long logitsMemoryBudget) {
            this.logitsMemoryBudget = logitsMemoryBudget;
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
            if (logitsMemoryBudget != null && logitsMemoryBudget < 1) {
                throw new IllegalArgumentException("logitsMemoryBudget must be greater than zero, but is: "
                        + logitsMemoryBudget);
            }
            return new CrossEncoderScoringModel(this, settings());
        }
    }
}
