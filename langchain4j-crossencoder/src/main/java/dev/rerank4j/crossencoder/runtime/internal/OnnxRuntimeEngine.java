package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX Runtime engine. {@link OrtSession#run} is thread-safe, so one session serves all callers. The inputs fed
 * are exactly those the graph declares ({@link ModelInput}); the output layout is probed once when opening.
 */
public final class OnnxRuntimeEngine implements InferenceEngine {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OnnxRuntimeEngine.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<ModelInput> inputs;
    private final String outputName;
    private final Device device;
    private final Path modelFile;
    private final ModelSignature signature;
    private final EmptyKeyValueCache cache;
    private final String graphNote;
    // the batches the loaded graph's fused attention serves; with UNPADDED_BATCHES its padding mask was dropped, so a
    // padded batch would be scored wrongly and is refused
    private final AttentionFusion.Mode fusion;
    // per-thread direct buffers: inputs and outputs are written in place, no large allocation per call
    private final ThreadLocal<IoBuffers> buffers = ThreadLocal.withInitial(IoBuffers::new);
    private volatile boolean cancelled;

    private OnnxRuntimeEngine(OrtEnvironment env, OrtSession session, List<ModelInput> inputs, String outputName,
                              Device device, Path modelFile, ModelSignature signature, EmptyKeyValueCache cache,
                              String graphNote, AttentionFusion.Mode fusion) {
        this.env = env;
        this.session = session;
        this.inputs = inputs;
        this.outputName = outputName;
        this.device = device;
        this.modelFile = modelFile;
        this.signature = signature;
        this.cache = cache;
        this.graphNote = graphNote;
        this.fusion = fusion;
    }

    /** Opens a BERT-convention model (pad id 0, positions from 0); see {@link #open(Path, Device, int, String, ModelFamily, BatchSpec)}. */
    public static OnnxRuntimeEngine open(Path modelFile, Device device, int intraOpThreads, String preferredOutput) {
        return open(modelFile, device, intraOpThreads, preferredOutput, ModelFamily.BERT, BatchSpec.BERT);
    }

    /**
     * Opens an ONNX model file. External-data files are resolved relative to the model file by ONNX Runtime.
     *
     * @param preferredOutput output to read, or null for the first output
     * @param family          the model's family (for the signature)
     * @param batchSpec       how batches are padded (used for the probe run that learns the output layout)
     */
    public static OnnxRuntimeEngine open(Path modelFile, Device device, int intraOpThreads, String preferredOutput,
                                         ModelFamily family, BatchSpec batchSpec) {
        return open(modelFile, device, intraOpThreads, preferredOutput, family, batchSpec, false);
    }

    /**
     * Like {@link #open(Path, Device, int, String, ModelFamily, BatchSpec)}; with {@code lastTokenOnly} a causal-LM
     * graph is first cut to compute its logits at each row's last real token only ({@link LastTokenLogitsCut});
     * a graph that cannot be cut is loaded as it is (see {@link #graphNote()}).
     */
    public static OnnxRuntimeEngine open(Path modelFile, Device device, int intraOpThreads, String preferredOutput,
                                         ModelFamily family, BatchSpec batchSpec, boolean lastTokenOnly) {
        return open(modelFile, device, intraOpThreads, preferredOutput, family, batchSpec, lastTokenOnly,
                AttentionFusion.Mode.OFF);
    }

    /**
     * Like {@link #open(Path, Device, int, String, ModelFamily, BatchSpec, boolean)}; with an {@code attentionFusion}
     * mode other than OFF (an encoder on a CPU) each self-attention gets ONNX Runtime's fused kernel for unpadded
     * batches ({@link AttentionFusion}); a graph without a matching attention is loaded as it is (see
     * {@link #graphNote()}). With {@code UNPADDED_BATCHES} a padded batch is refused by {@link #run}.
     */
    public static OnnxRuntimeEngine open(Path modelFile, Device device, int intraOpThreads, String preferredOutput,
                                         ModelFamily family, BatchSpec batchSpec, boolean lastTokenOnly,
                                         AttentionFusion.Mode attentionFusion) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            options.setInterOpNumThreads(1);
            if (device.isGpu()) {
                addCuda(options, device);
            }
            GraphRewrite rewrite = lastTokenOnly ? GraphRewrite.lastTokenLogits(modelFile, preferredOutput)
                    : attentionFusion != AttentionFusion.Mode.OFF && !device.isGpu()
                    ? GraphRewrite.attentionFusion(modelFile, attentionFusion) : GraphRewrite.NONE;
            String note = rewrite.note();
            AttentionFusion.Mode fusion = AttentionFusion.Mode.OFF;
            if (rewrite.model() != null) {
                // external data stays where it is: ONNX Runtime reads it from the original folder
                options.addConfigEntry("session.model_external_initializers_file_folder_path",
                        modelFile.toAbsolutePath().getParent().toString());
                try {
                    session = env.createSession(rewrite.model(), options);
                    fusion = rewrite.fusion();
                } catch (OrtException e) {
                    log.warn("ONNX Runtime refused the rewritten graph of {} ({}: {}); loading the graph as it is",
                            modelFile, rewrite.note(), e.getMessage());
                    note = rewrite.refused(e.getMessage());
                }
            }
            if (session == null) {
                session = env.createSession(modelFile.toString(), options);
            }
            List<ModelInput> inputs = validateInputs(session, modelFile);
            EmptyKeyValueCache cache = EmptyKeyValueCache.of(session.getInputInfo(), modelFile);
            String output = chooseOutput(session, preferredOutput, modelFile);
            OnnxRuntimeEngine unprobed = new OnnxRuntimeEngine(env, session, inputs, output, device, modelFile,
                    new ModelSignature(family, inputs, batchSpec, output, new OutputLayout(List.of())), cache, note,
                    // the probe's batch is padded; only its output shape is read
                    fusion == AttentionFusion.Mode.OFF ? fusion : AttentionFusion.Mode.ANY_BATCH);
            OutputLayout layout = probe(unprobed, batchSpec);
            return new OnnxRuntimeEngine(env, session, inputs, output, device, modelFile,
                    new ModelSignature(family, inputs, batchSpec, output, layout), cache, note, fusion);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelLoadException("ONNX Runtime cannot load model file " + modelFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static OutputLayout probe(OnnxRuntimeEngine engine, BatchSpec batchSpec) {
        try {
            return OutputLayout.probe(batchSpec, batch -> engine.run(batch).shape());
        } catch (RuntimeException e) {
            throw new ModelLoadException("ONNX model " + engine.modelFile + " fails on a probe batch (inputs "
                    + engine.inputs + ", output " + engine.outputName + "): " + e.getMessage(), e);
        }
    }

    private static void addCuda(OrtSession.SessionOptions options, Device device) throws OrtException {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new ModelLoadException("Device " + device + " requested, but the ONNX Runtime on the classpath has no "
                    + "CUDA execution provider (available: " + OrtEnvironment.getAvailableProviders()
                    + "). Build with -Pcuda (com.microsoft.onnxruntime:onnxruntime_gpu) on a machine with CUDA and cuDNN.");
        }
        try {
            options.addCUDA(device.index());
        } catch (OrtException e) {
            throw new ModelLoadException("Cannot start the ONNX Runtime CUDA provider on " + device
                    + " (no GPU, or CUDA/cuDNN libraries missing): " + e.getMessage(), e);
        }
    }

    private static List<ModelInput> validateInputs(OrtSession session, Path modelFile) throws OrtException {
        List<String> found = new ArrayList<>(session.getInputInfo().keySet());
        List<String> unknown = found.stream()
                .filter(name -> ModelInput.named(name).isEmpty() && !EmptyKeyValueCache.isCacheInput(name)).toList();
        if (!unknown.isEmpty() || !found.contains(ModelInput.INPUT_IDS.exportName())) {
            throw new ModelLoadException("ONNX model " + modelFile + " has inputs " + found
                    + (unknown.isEmpty() ? "" : " (unsupported: " + unknown + ")") + "; expected "
                    + ModelInput.INPUT_IDS + " and optionally " + ModelInput.ATTENTION_MASK + ", "
                    + ModelInput.TOKEN_TYPE_IDS + ", " + ModelInput.POSITION_IDS + " and, for causal LMs, "
                    + EmptyKeyValueCache.PREFIX + ".N.key/value");
        }
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
            if (EmptyKeyValueCache.isCacheInput(input.getKey())) {
                continue;
            }
            if (input.getValue().getInfo() instanceof TensorInfo info
                    && info.type != ai.onnxruntime.OnnxJavaType.INT64) {
                throw new ModelLoadException("ONNX model " + modelFile + " input " + input.getKey() + " has type "
                        + info.type + "; expected int64");
            }
        }
        return found.stream().flatMap(name -> ModelInput.named(name).stream()).toList();
    }

    private static String chooseOutput(OrtSession session, String preferred, Path modelFile) throws OrtException {
        Set<String> outputs = session.getOutputInfo().keySet();
        if (preferred != null && outputs.contains(preferred)) {
            return preferred;
        }
        if (outputs.isEmpty()) {
            throw new ModelLoadException("ONNX model " + modelFile + " declares no outputs");
        }
        return outputs.iterator().next();
    }

    @Override
    public OutputTensor run(TokenBatch batch) {
        if (fusion == AttentionFusion.Mode.UNPADDED_BATCHES && padded(batch)) {
            throw new IllegalStateException("ONNX model " + modelFile + " was loaded with its attention fused for "
                    + "unpadded batches only (padding mask dropped), but got a padded batch of " + batch.batchSize()
                    + " rows; batch rows only with rows of their length (maxPaddingRatio 0)");
        }
        if (cancelled) {
            throw new InferenceCancelledException("ONNX Runtime inference on " + modelFile + " cancelled: the model was closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InferenceCancelledException("ONNX Runtime inference on " + modelFile + " cancelled: thread interrupted");
        }
        try (OrtSession.RunOptions runOptions = new OrtSession.RunOptions()) {
            RunTerminator.register(runOptions, this);
            try {
                if (cancelled) {
                    runOptions.setTerminate(true); // cancelRuns() may have looked before this run registered
                }
                return run(batch, runOptions);
            } finally {
                RunTerminator.unregister();
            }
        } catch (OrtException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InferenceCancelledException("ONNX Runtime inference on " + modelFile
                        + " cancelled: thread interrupted", e);
            }
            if (cancelled) {
                throw new InferenceCancelledException("ONNX Runtime inference on " + modelFile
                        + " cancelled: the model was closed", e);
            }
            throw new InferenceException("ONNX Runtime inference failed on " + modelFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cancelRuns() {
        cancelled = true;
        RunTerminator.terminateRunsOf(this);
    }

    private OutputTensor run(TokenBatch batch, OrtSession.RunOptions runOptions) throws OrtException {
        IoBuffers io = buffers.get();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        OnnxTensor pinned = null;
        try {
            for (int i = 0; i < inputs.size(); i++) {
                ModelInput input = inputs.get(i);
                feeds.put(input.exportName(), OnnxTensor.createTensor(env, io.input(i, input.valuesOf(batch)),
                        input.shapeFor(batch)));
            }
            cache.addTo(feeds, env, batch.batchSize());
            long[] pinnedShape = pinnedOutputShape(batch);
            if (pinnedShape != null) {
                pinned = OnnxTensor.createTensor(env, io.output(pinnedShape), pinnedShape);
                try (OrtSession.Result ignored = session.run(feeds, Set.of(), Map.of(outputName, pinned), runOptions)) {
                    FloatBuffer out = io.output.duplicate();
                    out.rewind();
                    float[] data = new float[(int) product(pinnedShape)];
                    out.get(data);
                    return new OutputTensor(data, pinnedShape);
                }
            }
            try (OrtSession.Result result = session.run(feeds, Set.of(outputName), runOptions)) {
                OnnxTensor tensor = (OnnxTensor) result.get(outputName)
                        .orElseThrow(() -> new InferenceException("ONNX Runtime returned no " + outputName + " for " + modelFile));
                FloatBuffer buffer = tensor.getFloatBuffer();
                float[] data = new float[buffer.remaining()];
                buffer.get(data);
                return new OutputTensor(data, tensor.getInfo().getShape());
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
            if (pinned != null) {
                pinned.close();
            }
        }
    }

    /** The output's shape for this batch when the probed layout knows every axis; else null (the runtime allocates). */
    private long[] pinnedOutputShape(TokenBatch batch) {
        if (device.isGpu() || !signature.output().batchFirst()) {
            return null;
        }
        return signature.output().shapeFor(batch.batchSize(), batch.sequenceLength());
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Direct buffers that grow to the largest batch a thread has run. */
    private static final class IoBuffers {
        private final LongBuffer[] inputs = new LongBuffer[ModelInput.values().length];
        private FloatBuffer output;

        LongBuffer input(int slot, long[] values) {
            LongBuffer buffer = inputs[slot];
            if (buffer == null || buffer.capacity() < values.length) {
                buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(Math.max(values.length, 1) * 2 - 1) * Long.BYTES)
                        .order(ByteOrder.nativeOrder()).asLongBuffer();
                inputs[slot] = buffer;
            }
            buffer.clear();
            buffer.put(values);
            buffer.flip();
            return buffer;
        }

        FloatBuffer output(long[] shape) {
            int size = (int) product(shape);
            if (output == null || output.capacity() < size) {
                output = ByteBuffer.allocateDirect(Integer.highestOneBit(Math.max(size, 1) * 2 - 1) * Float.BYTES)
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
            output.clear();
            output.limit(size);
            return output;
        }
    }

    @Override
    public List<String> inputNames() {
        return inputs.stream().map(ModelInput::exportName).toList();
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    /** What was done to the graph at load time (the last-token cut, or why not); empty when nothing was asked. */
    public String graphNote() {
        return graphNote;
    }

    public String outputName() {
        return outputName;
    }

    private static boolean padded(TokenBatch batch) {
        for (long bit : batch.attentionMask()) {
            if (bit == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean fusedAttention() {
        return fusion != AttentionFusion.Mode.OFF;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return "onnxruntime " + env.getVersion() + " (" + device + ", " + modelFile.getFileName()
                + (graphNote.isEmpty() ? "" : "; " + graphNote) + ")";
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // closing is best effort; the session is unusable either way
            }
        }
    }

}
