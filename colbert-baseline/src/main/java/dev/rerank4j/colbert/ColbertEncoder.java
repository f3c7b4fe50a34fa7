package dev.rerank4j.colbert;

import dev.rerank4j.crossencoder.model.ModelBuilder;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BatchScheduler;
import dev.rerank4j.crossencoder.runtime.internal.BatchSpec;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.EngineOptions;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngine;
import dev.rerank4j.crossencoder.runtime.internal.InferenceEngines;
import dev.rerank4j.crossencoder.runtime.internal.ModelLifecycle;
import dev.rerank4j.crossencoder.runtime.internal.ModelSettings;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

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
 * <p>Thread-safe: one native session serves all threads ({@code maxConcurrentRuns} of them at once). Interrupting
 * an encoding thread, or {@link #close()} during a call, cancels it ({@link InferenceCancelledException}); a runtime
 * failure throws {@link InferenceException}.
 */
public final class ColbertEncoder implements AutoCloseable {

    private final ModelDirectory directory;
    private final ColbertConfig config;
    private final TextTokenizer tokenizer;
    private final InferenceEngine engine;
    private final long clsId;
    private final long[] suffixIds;
    private final Path modelFile;
    private final ModelLifecycle lifecycle;
    private volatile Long modelFingerprint;

    private ColbertEncoder(ModelSettings settings) {
        this.directory = settings.openModelDirectory();
        this.config = ColbertConfig.from(directory.config());
        EngineOptions options = settings.engineOptions();
        this.modelFile = InferenceEngines.modelFile(directory, options);
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
            this.engine = openTokenVectorEngine(directory, options);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        BatchSpec spec = engine.signature().batch();
        BatchPlanner planner = settings.batchPlanner(config.docMaxLen(), engine);
        this.lifecycle = new ModelLifecycle(ColbertEncoder.class.getSimpleName(), engine, tokenizer,
                new BatchScheduler(engine, planner, rows -> TokenBatch.of(rows, spec),
                        InferenceEngines.resolve(directory, options).effectiveConcurrency(), false));
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
     * A 64-bit fingerprint of what determines the vectors, stored in index files so that vectors of different
     * models are never mixed: the leading bits of {@link ModelDirectory#contentSha256} (config.json,
     * tokenizer.json, the model file this encoder runs and its ONNX external data). A fine-tune with the same config
     * therefore gets another fingerprint; so do the TorchScript file and another ONNX export (e.g. int8) of the same
     * model, whose vectors differ slightly. Computed once, on first use (it reads the weights).
     */
    public long modelFingerprint() {
        Long fingerprint = modelFingerprint;
        if (fingerprint == null) {
            fingerprint = HexFormat.fromHexDigitsToLong(directory.contentSha256(modelFile), 0, 16);
            modelFingerprint = fingerprint;
        }
        return fingerprint;
    }

    /** The model file the engine runs. */
    public Path modelFile() {
        return modelFile;
    }

    public ModelDirectory modelDirectory() {
        return directory;
    }

    public String engineDescription() {
        return engine.description();
    }

    /** The model input of a query: fixed length {@code query_maxlen}, [MASK]-padded. */
    public EncodedInput queryInput(String query) {
        requireQuery(query);
        return lifecycle.call(() -> queryInput(tokenizer.tokenIds(query)));
    }

    private static void requireQuery(String query) {
        requireText(query, "query");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query cannot be blank");
        }
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
        return lifecycle.call(() -> documentInput(tokenizer.tokenIds(document)));
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
        requireQuery(query);
        return encodeQueries(List.of(query)).get(0);
    }

    /** Several queries in batches; results follow the input order. */
    public List<TokenVectors> encodeQueries(List<String> queries) {
        requireList(queries, "queries");
        queries.forEach(ColbertEncoder::requireQuery);
        // tokenising inside the call too: close() must not free the tokenizer under it
        return lifecycle.call(() -> {
            List<EncodedInput> inputs = new ArrayList<>(queries.size());
            for (String query : queries) {
                inputs.add(queryInput(tokenizer.tokenIds(query)));
            }
            return run(inputs, false);
        });
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
        return lifecycle.call(() -> {
            List<long[]> tokens = tokenizer.tokenIds(documents);
            List<EncodedInput> inputs = new ArrayList<>(tokens.size());
            for (long[] t : tokens) {
                inputs.add(documentInput(t));
            }
            return run(inputs, true);
        });
    }

    private List<TokenVectors> run(List<EncodedInput> inputs, boolean documents) {
        TokenVectors[] out = new TokenVectors[inputs.size()];
        if (inputs.isEmpty()) {
            return List.of();
        }
        lifecycle.run(inputs, (index, batch, row, output) -> {
            checkShape(output, batch);
            out[index] = vectors(output, batch.sequenceLength(), row, inputs.get(index), documents);
        });
        return List.of(out);
    }

    private void checkShape(OutputTensor output, TokenBatch batch) {
        long[] shape = output.shape();
        if (shape.length != 3 || shape[0] != batch.batchSize() || shape[1] != batch.sequenceLength()
                || shape[2] != config.dim()) {
            throw new InferenceException("Model " + modelFile + " returned shape " + Arrays.toString(shape)
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

    /**
     * Frees the native session and tokenizer. Calls running at that moment are cancelled (they throw
     * {@link InferenceCancelledException}) and waited for; calls started afterwards throw
     * {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /**
     * Model source and runtime options shared with the other model builders ({@link ModelBuilder}): a local
     * {@code modelDirectory} or a hub {@code modelId} whose config.json has a {@code colbert} section.
     */
    public static final class Builder extends ModelBuilder<Builder> {

        /** Off unless asked: queries are padded, so each block would pay an {@code If}; not measured to help. */
        @Override
        protected boolean defaultAttentionFusion() {
            return false;
        }

        private Builder() {
        }

        public ColbertEncoder build() {
            validate();
            return new ColbertEncoder(settings());
        }
    }
}
