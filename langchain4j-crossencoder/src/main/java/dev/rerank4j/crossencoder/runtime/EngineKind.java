package dev.rerank4j.crossencoder.runtime;

/** Which runtime executes the model. {@link #AUTO} picks ONNX Runtime when an ONNX file exists, else TorchScript. */
public enum EngineKind {
    AUTO,
    ONNX,
    PYTORCH
}
