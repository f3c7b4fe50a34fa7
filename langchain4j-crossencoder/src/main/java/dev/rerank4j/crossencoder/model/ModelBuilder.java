package dev.rerank4j.crossencoder.model;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.AttentionFusion;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.ModelSettings;

import java.nio.file.Path;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureBetween;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/**
 * The options every rerank4j model builder shares ({@code CrossEncoderScoringModel}, {@code ColbertEncoder},
 * {@code ColbertScoringModel}), with one name and one default each: where the model comes from
 * ({@link #modelDirectory} or a hub {@link #modelId}) and how it runs ({@link #engine}, {@link #device}, threads,
 * batching).
 *
 * <p>LangChain4j's builder style: a setter only records its value, {@code null} means "use the default", and
 * {@code build()} checks every value once, throwing {@link IllegalArgumentException} that names the option.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class ModelBuilder<B extends ModelBuilder<B>> {

    public static final int DEFAULT_BATCH_SIZE = 32;
    /** Token budget of a batch on a GPU: large batches fill the device. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;
    /**
     * Token budget of a batch on a CPU: about one long pair per run. Per pair, small padded batches cost less CPU time
     * than large ones there (their activations, attention scores above all, stay in cache); with fused attention's
     * unpadded batches the budget matters little. Measured in docs/performance.md.
     */
    public static final int DEFAULT_CPU_MAX_BATCH_TOKENS = 512;
    public static final String DEFAULT_REVISION = "main";

    private Path modelDirectory;
    private String modelId;
    private String revision;
    private Path cacheDirectory;
    private Boolean offline;
    private String hubEndpoint;
    private String hubToken;
    private Boolean showProgress;
    private EngineKind engine;
    private Device device;
    private String onnxFile;
    private String outputName;
    private Integer intraOpThreads;
    private Integer maxConcurrentRuns;
    private Integer batchSize;
    private Integer maxBatchTokens;
    private Double maxPaddingRatio;
    private Boolean attentionFusion;

    protected ModelBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** A local model in Hugging Face layout; never touches the network. Instead of {@link #modelId}. */
    public B modelDirectory(Path modelDirectory) {
        this.modelDirectory = modelDirectory;
        return self();
    }

    /** A Hugging Face repository id ({@code owner/name}), downloaded once into the cache. */
    public B modelId(String modelId) {
        this.modelId = modelId;
        return self();
    }

    /** Branch, tag or commit of {@link #modelId} (default {@value #DEFAULT_REVISION}). */
    public B revision(String revision) {
        this.revision = revision;
        return self();
    }

    /** Where hub downloads are kept (default {@code $RERANK4J_CACHE} or {@code ~/.cache/rerank4j/models}). */
    public B cacheDirectory(Path cacheDirectory) {
        this.cacheDirectory = cacheDirectory;
        return self();
    }

    /** Use only the cache, never the network (default {@code $HF_HUB_OFFLINE}, else false). */
    public B offline(Boolean offline) {
        this.offline = offline;
        return self();
    }

    /** Hub base URL (default {@code $HF_ENDPOINT} or https://huggingface.co). */
    public B hubEndpoint(String hubEndpoint) {
        this.hubEndpoint = hubEndpoint;
        return self();
    }

    /** Access token for gated repositories (default {@code $HF_TOKEN}). */
    public B hubToken(String hubToken) {
        this.hubToken = hubToken;
        return self();
    }

    /** A console progress bar for downloads (default false: progress goes to SLF4J at INFO). */
    public B showProgress(Boolean showProgress) {
        this.showProgress = showProgress;
        return self();
    }

    /** ONNX Runtime, PyTorch (TorchScript) or AUTO: ONNX when an ONNX file exists, else TorchScript (default AUTO). */
    public B engine(EngineKind engine) {
        this.engine = engine;
        return self();
    }

    /** CPU (default) or a CUDA device. */
    public B device(Device device) {
        this.device = device;
        return self();
    }

    /**
     * An ONNX file relative to the model directory, e.g. {@code onnx/model_quantized.onnx} or
     * {@code onnx/model_O3.onnx} (default {@code onnx/model.onnx}, else {@code model.onnx} at the top).
     */
    public B onnxFile(String onnxFile) {
        this.onnxFile = onnxFile;
        return self();
    }

    /** The model output to read (default the config's {@code output_name}, else the first output). */
    public B outputName(String outputName) {
        this.outputName = outputName;
        return self();
    }

    /**
     * Threads per model run (default 0: automatic; with ONNX Runtime on a CPU one thread per run and one run per
     * core, or cores / maxConcurrentRuns when that is set; elsewhere the runtime's default).
     */
    public B intraOpThreads(Integer intraOpThreads) {
        this.intraOpThreads = intraOpThreads;
        return self();
    }

    /**
     * Model runs at once across all threads using this model (default 0: automatic; with ONNX Runtime on a CPU one
     * per core, or cores / intraOpThreads when that is set; elsewhere 1). A call's batches spread over the runs;
     * further batches queue, oldest call first, instead of oversubscribing the cores.
     */
    public B maxConcurrentRuns(Integer maxConcurrentRuns) {
        this.maxConcurrentRuns = maxConcurrentRuns;
        return self();
    }

    /** Sequences per forward pass at most (default {@value #DEFAULT_BATCH_SIZE}). */
    public B batchSize(Integer batchSize) {
        this.batchSize = batchSize;
        return self();
    }

    /**
     * Padded tokens (rows x longest row) per forward pass at most (default {@value #DEFAULT_CPU_MAX_BATCH_TOKENS} on a
     * CPU, {@value #DEFAULT_MAX_BATCH_TOKENS} on a GPU; a longer row still gets a batch of its own).
     */
    public B maxBatchTokens(Integer maxBatchTokens) {
        this.maxBatchTokens = maxBatchTokens;
        return self();
    }

    /**
     * Largest share of a row that may be padding before a shorter row starts a new batch (default 0 when the graph
     * runs fused attention for unpadded batches, see {@link #attentionFusion}, else 0.1; 1 lets batches fill up to
     * batchSize / maxBatchTokens whatever the lengths).
     */
    public B maxPaddingRatio(Double maxPaddingRatio) {
        this.maxPaddingRatio = maxPaddingRatio;
        return self();
    }

    /**
     * With ONNX Runtime on a CPU, rewrite each self-attention of an encoder's graph at load so that batches without
     * padding run ONNX Runtime's fused attention kernel (scores unchanged to float rounding). Default: true for the
     * cross-encoder (its batches then stay unpadded), false for ColBERT's encoder (its queries are padded, so it gets
     * an {@code If} per block; not measured to help there). Decoders, GPUs and TorchScript are not affected; the load
     * log says how many attention blocks were fused. Measured in docs/performance.md.
     */
    public B attentionFusion(Boolean attentionFusion) {
        this.attentionFusion = attentionFusion;
        return self();
    }

    /** Whether {@link #attentionFusion} is on when not set: true for the cross-encoder. */
    protected boolean defaultAttentionFusion() {
        return true;
    }

    /** The hub model used when neither modelDirectory nor modelId is set; null when there is none. */
    protected String defaultModelId() {
        return null;
    }

    /** Checks the shared options; a subclass calls it first in {@code build()}, then checks its own. */
    protected void validate() {
        if (modelDirectory != null && modelId != null) {
            throw new IllegalArgumentException("Set either modelDirectory or modelId, not both");
        }
        if (modelDirectory == null && modelId == null && defaultModelId() == null) {
            throw new IllegalArgumentException("modelDirectory or modelId is required");
        }
        if (modelId != null) {
            HuggingFaceDownloader.validateRepoId(modelId);
        }
        if (revision != null) {
            ensureNotBlank(revision, "revision");
        }
        if (onnxFile != null) {
            ensureNotBlank(onnxFile, "onnxFile");
        }
        if (outputName != null) {
            ensureNotBlank(outputName, "outputName");
        }
        if (intraOpThreads != null) {
            ensureNotNegative(intraOpThreads, "intraOpThreads");
        }
        if (maxConcurrentRuns != null) {
            ensureNotNegative(maxConcurrentRuns, "maxConcurrentRuns");
        }
        ensureGreaterThanZeroIfNotNull(batchSize, "batchSize");
        ensureGreaterThanZeroIfNotNull(maxBatchTokens, "maxBatchTokens");
        if (maxPaddingRatio != null) {
            ensureBetween(maxPaddingRatio, 0, 1, "maxPaddingRatio");
        }
    }

    /** Whether any shared option was set (a builder that also accepts a ready-made model refuses both). */
    protected final boolean anyModelOptionSet() {
        Object[] options = {modelDirectory, modelId, revision, cacheDirectory, offline, hubEndpoint, hubToken,
                showProgress, engine, device, onnxFile, outputName, intraOpThreads, maxConcurrentRuns, batchSize,
                maxBatchTokens, maxPaddingRatio, attentionFusion};
        for (Object option : options) {
            if (option != null) {
                return true;
            }
        }
        return false;
    }

    /** Copies every shared option into another builder (e.g. the encoder a scoring model builds itself). */
    protected final <O extends ModelBuilder<O>> O copyTo(O other) {
        ModelBuilder<O> target = other;
        target.modelDirectory = modelDirectory;
        target.modelId = modelId;
        target.revision = revision;
        target.cacheDirectory = cacheDirectory;
        target.offline = offline;
        target.hubEndpoint = hubEndpoint;
        target.hubToken = hubToken;
        target.showProgress = showProgress;
        target.engine = engine;
        target.device = device;
        target.onnxFile = onnxFile;
        target.outputName = outputName;
        target.intraOpThreads = intraOpThreads;
        target.maxConcurrentRuns = maxConcurrentRuns;
        target.batchSize = batchSize;
        target.maxBatchTokens = maxBatchTokens;
        target.maxPaddingRatio = maxPaddingRatio;
        target.attentionFusion = attentionFusion;
        return other;
    }

    /** The checked options with defaults applied; call after {@link #validate()}. */
    protected final ModelSettings settings() {
        Device resolvedDevice = getOrDefault(device, Device.cpu());
        EngineOptions engineOptions = new EngineOptions(getOrDefault(engine, EngineKind.AUTO),
                resolvedDevice, getOrDefault(intraOpThreads, 0), onnxFile, outputName,
                getOrDefault(maxConcurrentRuns, 0), false, getOrDefault(attentionFusion, defaultAttentionFusion())
                        ? AttentionFusion.Mode.ANY_BATCH : AttentionFusion.Mode.OFF);
        return new ModelSettings(modelDirectory, getOrDefault(modelId, defaultModelId()),
                getOrDefault(revision, DEFAULT_REVISION), downloader(), engineOptions,
                getOrDefault(batchSize, DEFAULT_BATCH_SIZE), getOrDefault(maxBatchTokens,
                        resolvedDevice.isGpu() ? DEFAULT_MAX_BATCH_TOKENS : DEFAULT_CPU_MAX_BATCH_TOKENS),
                maxPaddingRatio);
    }

    private HuggingFaceDownloader downloader() {
        return HuggingFaceDownloader.builder()
                .hubEndpoint(hubEndpoint)
                .hubToken(hubToken)
                .cacheDirectory(cacheDirectory)
                .offline(offline)
                .showProgress(showProgress)
                .build();
    }
}
