package dev.rerank4j.colbert;

import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Encodes queries and documents into L2-normalised ColBERT token vectors with the same model directory, tokenizer
 * and engines (ONNX Runtime or TorchScript) as the cross-encoder. Everything model-specific comes from the
 * {@code colbert} section of {@code config.json} ({@link ColbertConfig}).
 *
 * <ul>
 *   <li>Query: {@code [CLS] [Q] tokens [SEP]} cut to {@code query_maxlen}, then padded with {@code [MASK]} to exactly
 *   {@code query_maxlen} (query augmentation; attended when {@code attend_to_mask_tokens}); every position
 *   yields a vector.</li>
 *   <li>Document: {@code [CLS] [D] tokens [SEP]} cut to {@code doc_maxlen}; vectors of skiplist tokens
 *   (punctuation) and padding are dropped.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} waits for running calls, then frees native resources.
 */
public final class ColbertEncoder implements AutoCloseable {

    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;

    private final ModelDirectory directory;
    private final ColbertConfig config;
    private final TextTokenizer tokenizer;
    private final InferenceEngine engine;
    private final BatchPlanner planner;
    private final long clsId;
    private final long[] suffixIds;
    private final long modelFingerprint;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private ColbertEncoder(Builder builder) {
        this.directory = ModelDirectory.of(builder.modelDirectory);
        this.config = ColbertConfig.from(directory.config());
        this.modelFingerprint = fingerprint(directory.config().file());
        this.planner = new BatchPlanner(builder.batchSize, Math.max(builder.maxBatchTokens, config.docMaxLen()));
        this.tokenizer = TextTokenizer.open(directory.tokenizerFile(),
                Math.max(config.queryMaxLen(), config.docMaxLen()));
        try {
            long[] specials = tokenizer.singleSequenceSpecialIds();
            if (specials.length < 2) {
                throw new ModelLoadException("Tokenizer " + directory.tokenizerFile() + " adds " + specials.length
                        + " special tokens to a single sequence; ColBERT needs a [CLS] ... [SEP] template");
            }
            this.clsId = specials[0];
            this.suffixIds = Arrays.copyOfRange(specials, 1, specials.length);
            EngineOptions options = new EngineOptions(builder.engine, builder.device, builder.intraOpThreads,
                    builder.onnxFile, builder.outputName);
            this.engine = openTokenVectorEngine(directory, options);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opens the engine; its probed output must be one vector per token: {@code [batch, sequence, colbert.dim]}. */
    private InferenceEngine openTokenVectorEngine(ModelDirectory directory, EngineOptions options) {
        InferenceEngine opened = InferenceEngines.open(directory, options);
        var layout = opened.signature().output();
        long[] shape = layout.shapeFor(2, 3);
        if (shape == null || shape.length != 3 || shape[1] != 3 || shape[2] != config.dim()) {
            opened.close();
            throw new ModelLoadException("ColBERT model " + directory.root() + " output '"
                    + opened.signature().outputName() + "' has shape " + layout + "; expected [batch, sequence, "
                    + config.dim() + "] (colbert.dim in config.json)");
        }
        return opened;
    }

    public ColbertConfig config() {
        return config;
    }

    public int dim() {
        return config.dim();
    }

    /**
     * A 64-bit fingerprint of the model's {@code config.json} bytes, stored in index files so that vectors of
     * different models are never mixed. Engines and ONNX variants of one model directory share it.
     */
    public long modelFingerprint() {
        return modelFingerprint;
    }

    private static long fingerprint(Path configFile) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(configFile));
            return java.nio.ByteBuffer.wrap(digest).getLong();
        } catch (java.io.IOException e) {
            throw new ModelLoadException("Cannot read model config " + configFile + ": " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public ModelDirectory modelDirectory() {
        return directory;
    }

    public String engineDescription() {
        return engine.description();
    }

    /** The model input of a query: fixed length {@code query_maxlen}, [MASK]-padded. */
    public EncodedInput queryInput(String query) {
        requireText(query, "query");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query cannot be blank");
        }
        return queryInput(tokenizer.tokenIds(query));
    }

    private EncodedInput queryInput(long[] tokens) {
        int n = config.queryMaxLen();
        long[] ids = frame(config.queryMarkerTokenId(), tokens, n);
        long[] mask = new long[n];
        long[] types = new long[n];
        int real = ids.length;
        long[] padded = Arrays.copyOf(ids, n);
        for (int i = 0; i < n; i++) {
            boolean pad = i >= real;
            if (pad) {
                padded[i] = config.maskTokenId();
            }
            mask[i] = !pad || config.attendToMaskTokens() ? 1 : 0;
            types[i] = config.queryTokenTypeId();
        }
        return new EncodedInput(padded, mask, types);
    }

    /** The model input of a document: at most {@code doc_maxlen} tokens, no padding. */
    public EncodedInput documentInput(String document) {
        requireText(document, "document");
        return documentInput(tokenizer.tokenIds(document));
    }

    private EncodedInput documentInput(long[] tokens) {
        long[] ids = frame(config.docMarkerTokenId(), tokens, config.docMaxLen());
        long[] mask = new long[ids.length];
        long[] types = new long[ids.length];
        Arrays.fill(mask, 1L);
        Arrays.fill(types, config.docTokenTypeId());
        return new EncodedInput(ids, mask, types);
    }

    /** {@code [CLS] marker tokens... suffix}, cutting the tokens so that the whole fits {@code maxLength}. */
    private long[] frame(long marker, long[] tokens, int maxLength) {
        int room = maxLength - 2 - suffixIds.length;
        int kept = Math.min(tokens.length, room);
        long[] ids = new long[2 + kept + suffixIds.length];
        ids[0] = clsId;
        ids[1] = marker;
        System.arraycopy(tokens, 0, ids, 2, kept);
        System.arraycopy(suffixIds, 0, ids, 2 + kept, suffixIds.length);
        return ids;
    }

    /** The query's {@code query_maxlen} normalised vectors. */
    public TokenVectors encodeQuery(String query) {
        return run(List.of(queryInput(query)), false).get(0);
    }

    /** Several queries in batches; results follow the input order. */
    public List<TokenVectors> encodeQueries(List<String> queries) {
        requireList(queries, "queries");
        List<EncodedInput> inputs = new ArrayList<>(queries.size());
        for (String query : queries) {
            inputs.add(queryInput(query));
        }
        return run(inputs, false);
    }

    /** One document's normalised vectors, skiplist tokens dropped. */
    public TokenVectors encodeDocument(String document) {
        return encodeDocuments(List.of(document)).get(0);
    }

    /** Documents in length-sorted batches; results follow the input order. An empty text yields [CLS],[D],[SEP]. */
    public List<TokenVectors> encodeDocuments(List<String> documents) {
        requireList(documents, "documents");
        for (int i = 0; i < documents.size(); i++) {
            requireText(documents.get(i), "documents[" + i + "]");
        }
        List<long[]> tokens = tokenizer.tokenIds(documents);
        List<EncodedInput> inputs = new ArrayList<>(tokens.size());
        for (long[] t : tokens) {
            inputs.add(documentInput(t));
        }
        return run(inputs, true);
    }

    private List<TokenVectors> run(List<EncodedInput> inputs, boolean documents) {
        TokenVectors[] out = new TokenVectors[inputs.size()];
        if (inputs.isEmpty()) {
            return List.of();
        }
        int[] lengths = inputs.stream().mapToInt(EncodedInput::length).toArray();
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("ColbertEncoder is closed");
            }
            for (int[] batch : planner.plan(lengths)) {
                List<EncodedInput> rows = new ArrayList<>(batch.length);
                for (int index : batch) {
                    rows.add(inputs.get(index));
                }
                TokenBatch tokenBatch = TokenBatch.of(rows, engine.signature().batch());
                OutputTensor output = engine.run(tokenBatch);
                checkShape(output, tokenBatch);
                for (int r = 0; r < batch.length; r++) {
                    out[batch[r]] = vectors(output, tokenBatch.sequenceLength(), r, rows.get(r), documents);
                }
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        return List.of(out);
    }

    private void checkShape(OutputTensor output, TokenBatch batch) {
        long[] shape = output.shape();
        if (shape.length != 3 || shape[0] != batch.batchSize() || shape[1] != batch.sequenceLength()
                || shape[2] != config.dim()) {
            throw new IllegalStateException("Model " + directory.root() + " returned shape " + Arrays.toString(shape)
                    + "; expected [" + batch.batchSize() + ", " + batch.sequenceLength() + ", " + config.dim()
                    + "] (colbert.dim in config.json)");
        }
    }

    /** Copies the kept rows of one batch row and L2-normalises them. */
    private TokenVectors vectors(OutputTensor output, int seq, int row, EncodedInput input, boolean document) {
        int dim = config.dim();
        long[] ids = input.inputIds();
        int kept = 0;
        float[] data = new float[ids.length * dim];
        float[] all = output.data();
        for (int pos = 0; pos < ids.length; pos++) {
            if (document && config.skips(ids[pos])) {
                continue;
            }
            int src = (row * seq + pos) * dim;
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                norm += (double) all[src + k] * all[src + k];
            }
            // a zero vector stays zero: it matches nothing rather than producing NaN
            float inv = norm > 0 ? (float) (1.0 / Math.sqrt(norm)) : 0f;
            int dst = kept * dim;
            for (int k = 0; k < dim; k++) {
                data[dst + k] = all[src + k] * inv;
            }
            kept++;
        }
        return TokenVectors.wrap(kept == ids.length ? data : Arrays.copyOf(data, kept * dim), dim);
    }

    private static void requireText(String text, String name) {
        if (text == null) {
            throw new IllegalArgumentException(name + " cannot be null");
        }
    }

    private static void requireList(List<String> list, String name) {
        if (list == null) {
            throw new IllegalArgumentException(name + " cannot be null");
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                engine.close();
                tokenizer.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    public static final class Builder {
        private Path modelDirectory;
        private EngineKind engine = EngineKind.AUTO;
        private Device device = Device.cpu();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
        private int intraOpThreads;
        private String onnxFile;
        private String outputName;

        private Builder() {
        }

        /** A local model directory in Hugging Face layout with a {@code colbert} section in config.json. */
        public Builder modelDirectory(Path modelDirectory) {
            this.modelDirectory = modelDirectory;
            return this;
        }

        public Builder engine(EngineKind engine) {
            this.engine = engine;
            return this;
        }

        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /** Most sequences per forward pass. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Most padded tokens per forward pass. */
        public Builder maxBatchTokens(int maxBatchTokens) {
            this.maxBatchTokens = maxBatchTokens;
            return this;
        }

        /** Threads inside one operator; 0 lets the runtime decide. */
        public Builder intraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /** ONNX file relative to the model directory, e.g. {@code onnx/model_qint8.onnx}. */
        public Builder onnxFile(String onnxFile) {
            this.onnxFile = onnxFile;
            return this;
        }

        /** Model output to read; default: config's {@code output_name}, else the first output. */
        public Builder outputName(String outputName) {
            this.outputName = outputName;
            return this;
        }

        public ColbertEncoder build() {
            if (modelDirectory == null) {
                throw new IllegalArgumentException("modelDirectory cannot be null");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            if (maxBatchTokens < 1) {
                throw new IllegalArgumentException("maxBatchTokens must be >= 1, was " + maxBatchTokens);
            }
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
            }
            if (engine == null) {
                throw new IllegalArgumentException("engine cannot be null");
            }
            if (device == null) {
                throw new IllegalArgumentException("device cannot be null");
            }
            return new ColbertEncoder(this);
        }
    }
}
