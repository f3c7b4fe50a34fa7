package dev.rerank4j.crossencoder.runtime;

/**
 * How to open an engine.
 *
 * @param kind           ONNX Runtime, PyTorch (TorchScript) or AUTO (from the files present)
 * @param device         CPU or CUDA
 * @param intraOpThreads threads inside one operator; 0 lets the runtime decide (all physical cores)
 * @param onnxFile       ONNX file relative to the model directory (e.g. {@code onnx/model_qint8.onnx}); null for the default
 * @param outputName     model output to read; null to use the config's {@code output_name} or the first output
 */
public record EngineOptions(EngineKind kind, Device device, int intraOpThreads, String onnxFile, String outputName) {

    public EngineOptions {
        kind = kind == null ? EngineKind.AUTO : kind;
        device = device == null ? Device.cpu() : device;
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, was " + intraOpThreads);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(EngineKind.AUTO, Device.cpu(), 0, null, null);
    }

    public EngineOptions withKind(EngineKind newKind) {
        return new EngineOptions(newKind, device, intraOpThreads, onnxFile, outputName);
    }
}
