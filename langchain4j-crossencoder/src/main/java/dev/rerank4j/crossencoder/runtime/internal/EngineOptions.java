package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/**
 * How to open an engine: the engine options of {@link dev.rerank4j.crossencoder.model.ModelBuilder} with defaults
 * applied (part of {@link ModelSettings}).
 *
 * @param kind           ONNX Runtime, PyTorch (TorchScript) or AUTO (from the files present)
 * @param device         CPU or CUDA
 * @param intraOpThreads threads inside one operator; 0 = automatic ({@link InferenceEngines#resolve})
 * @param onnxFile       ONNX file relative to the model directory (e.g. {@code onnx/model_qint8.onnx}); null for the default
 * @param outputName     model output to read; null to use the config's {@code output_name} or the first output
 * @param maxConcurrentRuns model runs allowed at once across all callers; 0 = automatic ({@link InferenceEngines#resolve})
 * @param lastTokenOnly  decoder rerankers: cut a causal-LM graph to compute logits at the last token only
 *                       ({@link LastTokenLogitsCut}); ignored by other graphs and by TorchScript
 * @param attentionFusion encoders on ONNX Runtime on a CPU: whether, and for which batches, each self-attention gets
 *                       ONNX Runtime's fused kernel ({@link AttentionFusion.Mode}); ignored by decoders, GPUs and
 *                       TorchScript
 */
public record EngineOptions(EngineKind kind, Device device, int intraOpThreads, String onnxFile, String outputName,
                            int maxConcurrentRuns, boolean lastTokenOnly, AttentionFusion.Mode attentionFusion) {

    public EngineOptions {
        kind = kind == null ? EngineKind.AUTO : kind;
        device = device == null ? Device.cpu() : device;
        attentionFusion = attentionFusion == null ? AttentionFusion.Mode.ANY_BATCH : attentionFusion;
        ensureNotNegative(intraOpThreads, "intraOpThreads");
        ensureNotNegative(maxConcurrentRuns, "maxConcurrentRuns");
    }

    public EngineOptions(EngineKind kind, Device device, int intraOpThreads, String onnxFile, String outputName,
                         int maxConcurrentRuns) {
        this(kind, device, intraOpThreads, onnxFile, outputName, maxConcurrentRuns, false,
                AttentionFusion.Mode.ANY_BATCH);
    }

    public EngineOptions withLastTokenOnly(boolean cut) {
        return new EngineOptions(kind, device, intraOpThreads, onnxFile, outputName, maxConcurrentRuns, cut,
                attentionFusion);
    }

    public EngineOptions withAttentionFusion(AttentionFusion.Mode mode) {
        return new EngineOptions(kind, device, intraOpThreads, onnxFile, outputName, maxConcurrentRuns, lastTokenOnly,
                mode);
    }

    /** The effective bound on simultaneous runs. */
    public int effectiveConcurrency() {
        if (maxConcurrentRuns > 0) {
            return maxConcurrentRuns;
        }
        // runs that fit the machine: cores divided by the threads each run uses (one run when it uses all cores)
        return intraOpThreads <= 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors() / intraOpThreads);
    }
}
