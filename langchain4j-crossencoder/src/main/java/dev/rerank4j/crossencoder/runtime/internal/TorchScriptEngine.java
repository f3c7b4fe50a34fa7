package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.runtime.InferenceException;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * PyTorch engine for TorchScript exports ({@code model.pt}) through DJL. The traced module takes its family's inputs
 * positionally ({@link ModelFamily#torchScriptInputs}: input_ids, attention_mask and, where the family has them,
 * token_type_ids) and returns one tensor, whose layout is probed when the engine opens.
 */
public final class TorchScriptEngine implements InferenceEngine {

    private static final String ENGINE_NAME = "PyTorch";
    private static final String OUTPUT_NAME = "output0";

    private final Model model;
    private final Device device;
    private final Path modelFile;
    private final ModelSignature signature;
    private volatile boolean cancelled;

    private TorchScriptEngine(Model model, Device device, Path modelFile, ModelSignature signature) {
        this.model = model;
        this.device = device;
        this.modelFile = modelFile;
        this.signature = signature;
    }

    /** Opens a BERT TorchScript export (input_ids, attention_mask, token_type_ids). */
    public static TorchScriptEngine open(Path modelFile, Device device, int intraOpThreads) {
        return open(modelFile, device, intraOpThreads, ModelFamily.BERT, List.of(ModelInput.INPUT_IDS,
                ModelInput.ATTENTION_MASK, ModelInput.TOKEN_TYPE_IDS), BatchSpec.BERT);
    }

    /** Opens a TorchScript export that takes {@code inputs} positionally; probes its output layout. */
    public static TorchScriptEngine open(Path modelFile, Device device, int intraOpThreads, ModelFamily family,
                                         List<ModelInput> inputs, BatchSpec batchSpec) {
        OptionalDependency.require("ai.djl.pytorch.engine.PtEngine", "ai.djl.pytorch:pytorch-engine",
                "The PyTorch engine (TorchScript model " + modelFile + ")");
        if (intraOpThreads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // read once when the native engine starts; later engines share the first setting
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE_NAME);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new ModelLoadException("The DJL PyTorch engine is not available to load " + modelFile
                    + " (add ai.djl.pytorch:pytorch-jni and a PyTorch native library for your platform, e.g. "
                    + "ai.djl.pytorch:pytorch-native-cpu with classifier linux-x86_64, or let DJL download it): "
                    + e.getMessage(), e);
        }
        ai.djl.Device djlDevice = toDjl(device, engine, modelFile);
        Model model = Model.newInstance("rerank4j", djlDevice, ENGINE_NAME);
        try {
            String fileName = modelFile.getFileName().toString();
            String prefix = fileName.endsWith(".pt") ? fileName.substring(0, fileName.length() - 3) : fileName;
            model.load(modelFile.toAbsolutePath().getParent(), prefix);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException("PyTorch cannot load TorchScript file " + modelFile + ": " + e.getMessage(), e);
        }
        TorchScriptEngine unprobed = new TorchScriptEngine(model, device, modelFile,
                new ModelSignature(family, inputs, batchSpec, OUTPUT_NAME, new OutputLayout(List.of())));
        try {
            OutputLayout layout = OutputLayout.probe(batchSpec, batch -> unprobed.run(batch).shape());
            return new TorchScriptEngine(model, device, modelFile,
                    new ModelSignature(family, inputs, batchSpec, OUTPUT_NAME, layout));
        } catch (RuntimeException e) {
            model.close();
            throw new ModelLoadException("TorchScript model " + modelFile + " fails on a probe batch with inputs "
                    + inputs + " (passed positionally; " + family + " exports take them in this order): "
                    + e.getMessage(), e);
        }
    }

    private static ai.djl.Device toDjl(Device device, Engine engine, Path modelFile) {
        if (!device.isGpu()) {
            return ai.djl.Device.cpu();
        }
        int gpus = engine.getGpuCount();
        if (gpus <= device.index()) {
            throw new ModelLoadException("Device " + device + " requested for " + modelFile + ", but the PyTorch engine "
                    + "sees " + gpus + " GPU(s); use a CUDA build of PyTorch (ai.djl.pytorch:pytorch-native-cuXXX) "
                    + "on a machine with an NVIDIA GPU");
        }
        return ai.djl.Device.gpu(device.index());
    }

    @Override
    public OutputTensor run(TokenBatch batch) {
        if (cancelled) {
            throw new InferenceCancelledException("PyTorch inference on " + modelFile + " cancelled: the model was closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            // a forward pass cannot be stopped once started, but a cancelled caller starts no new one
            throw new InferenceCancelledException("PyTorch inference on " + modelFile + " cancelled: thread interrupted");
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList(signature.inputs().size());
            for (ModelInput input : signature.inputs()) {
                inputs.add(manager.create(input.valuesOf(batch), new Shape(input.shapeFor(batch))));
            }
            NDList output = model.getBlock().forward(new ParameterStore(manager, false), inputs, false);
            NDArray first = output.get(0);
            return new OutputTensor(first.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
                    first.getShape().getShape());
        } catch (RuntimeException e) {
            throw new InferenceException("PyTorch inference failed on " + modelFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void cancelRuns() {
        cancelled = true;
    }

    @Override
    public List<String> inputNames() {
        return signature.inputs().stream().map(ModelInput::exportName).toList();
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return "pytorch " + Engine.getEngine(ENGINE_NAME).getVersion() + " via DJL (" + device + ", "
                + modelFile.getFileName() + ")";
    }

    @Override
    public void close() {
        model.close();
    }
}
