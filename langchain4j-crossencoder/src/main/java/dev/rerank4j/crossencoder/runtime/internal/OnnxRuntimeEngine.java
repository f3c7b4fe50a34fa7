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

/** ONNX Runtime engine. {@link OrtSession#run} is thread-safe, so one session serves all callers. */
public final class OnnxRuntimeEngine implements InferenceEngine {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final List<String> KNOWN_INPUTS = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> inputNames;
    private final String outputName;
    private final Device device;
    private final Path modelFile;
    private final long[] outputShape;
    // per-thread direct buffers: inputs and outputs are written in place, no large allocation per call
    private final ThreadLocal<IoBuffers> buffers = ThreadLocal.withInitial(IoBuffers::new);
    private volatile boolean cancelled;

    private OnnxRuntimeEngine(OrtEnvironment env, OrtSession session, List<String> inputNames, String outputName,
                              Device device, Path modelFile, long[] outputShape) {
        this.env = env;
        this.session = session;
        this.inputNames = inputNames;
        this.outputName = outputName;
        this.device = device;
        this.modelFile = modelFile;
        this.outputShape = outputShape;
    }

    /**
     * Opens an ONNX model file. External-data files are resolved relative to the model file by ONNX Runtime.
     *
     * @param preferredOutput output to read, or null for the first output
     */
    public static OnnxRuntimeEngine open(Path modelFile, Device device, int intraOpThreads, String preferredOutput) {
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
            session = env.createSession(modelFile.toString(), options);
            List<String> inputs = validateInputs(session, modelFile);
            String output = chooseOutput(session, preferredOutput, modelFile);
            long[] outputShape = session.getOutputInfo().get(output).getInfo() instanceof TensorInfo info
                    && info.type == ai.onnxruntime.OnnxJavaType.FLOAT ? info.getShape() : null;
            return new OnnxRuntimeEngine(env, session, inputs, output, device, modelFile, outputShape);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelLoadException("ONNX Runtime cannot load model file " + modelFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
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

    private static List<String> validateInputs(OrtSession session, Path modelFile) throws OrtException {
        List<String> found = new ArrayList<>(session.getInputInfo().keySet());
        boolean unknown = found.stream().anyMatch(name -> !KNOWN_INPUTS.contains(name));
        if (unknown || !found.contains(INPUT_IDS)) {
            throw new ModelLoadException("ONNX model " + modelFile + " has inputs " + found + "; expected "
                    + INPUT_IDS + " and optionally " + ATTENTION_MASK + ", " + TOKEN_TYPE_IDS);
        }
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
            if (input.getValue().getInfo() instanceof TensorInfo info
                    && info.type != ai.onnxruntime.OnnxJavaType.INT64) {
                throw new ModelLoadException("ONNX model " + modelFile + " input " + input.getKey() + " has type "
                        + info.type + "; expected int64");
            }
        }
        return List.copyOf(found);
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
        long[] shape = batch.shape();
        IoBuffers io = buffers.get();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        OnnxTensor pinned = null;
        try {
            for (int i = 0; i < inputNames.size(); i++) {
                String name = inputNames.get(i);
                feeds.put(name, OnnxTensor.createTensor(env, io.input(i, inputFor(name, batch)), shape));
            }
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

    /**
     * The output's shape for this batch when it can be known before the run: {@code [batch, k]} or
     * {@code [batch, sequence, k]} with a fixed k (logits, token embeddings); else null (the runtime allocates).
     */
    private long[] pinnedOutputShape(TokenBatch batch) {
        if (outputShape == null || device.isGpu()) {
            return null;
        }
        if (outputShape.length == 2 && outputShape[1] > 0) {
            return new long[] {batch.batchSize(), outputShape[1]};
        }
        if (outputShape.length == 3 && outputShape[2] > 0) {
            return new long[] {batch.batchSize(), batch.sequenceLength(), outputShape[2]};
        }
        return null;
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
        private final LongBuffer[] inputs = new LongBuffer[3];
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

    private static long[] inputFor(String name, TokenBatch batch) {
        return switch (name) {
            case INPUT_IDS -> batch.inputIds();
            case ATTENTION_MASK -> batch.attentionMask();
            case TOKEN_TYPE_IDS -> batch.tokenTypeIds();
            default -> throw new IllegalStateException("unexpected input " + name);
        };
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    public String outputName() {
        return outputName;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return "onnxruntime " + env.getVersion() + " (" + device + ", " + modelFile.getFileName() + ")";
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
