package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Opens the engine a model directory and the options call for; shared by the cross-encoder and ColBERT. */
public final class InferenceEngines {

    private InferenceEngines() {
    }

    /**
     * Opens the engine with the {@link #resolve resolved} options. It does not bound its simultaneous runs: its owner
     * runs it from a {@link BatchScheduler} with {@link EngineOptions#effectiveConcurrency()} workers.
     */
    public static InferenceEngine open(ModelDirectory directory, EngineOptions options) {
        return openEngine(directory, resolve(directory, options));
    }

    /**
     * The options an engine runs with: AUTO resolved and, for ONNX Runtime on a CPU, the threads left at 0 chosen
     * automatically: one single-threaded run per core when neither threads nor runs are given (ONNX Runtime spreads
     * one run of these small matrices over several cores poorly, independent runs scale almost linearly: measured in
     * docs/performance.md), else cores / the other. Elsewhere 0 threads means the runtime's default.
     */
    public static EngineOptions resolve(ModelDirectory directory, EngineOptions options) {
        EngineKind kind = resolveKind(directory, options);
        int threads = options.intraOpThreads();
        int runs = options.maxConcurrentRuns();
        if (kind == EngineKind.ONNX && !options.device().isGpu() && threads == 0) {
            int cores = Runtime.getRuntime().availableProcessors();
            threads = runs == 0 ? 1 : Math.max(1, cores / runs);
            runs = runs == 0 ? cores : runs;
        }
        return new EngineOptions(kind, options.device(), threads, options.onnxFile(), options.outputName(), runs,
                options.lastTokenOnly(), options.attentionFusion());
    }

    private static InferenceEngine openEngine(ModelDirectory directory, EngineOptions options) {
        String output = options.outputName() != null ? options.outputName()
                : directory.config().outputName().orElse(null);
        ModelFamily family = ModelFamily.of(directory.config());
        BatchSpec batchSpec = family.batchSpec(directory.config());
        return switch (resolveKind(directory, options)) {
            case ONNX -> OnnxRuntimeEngine.open(onnxFile(directory, options), options.device(),
                    options.intraOpThreads(), output, family, batchSpec, options.lastTokenOnly(),
                    family.decoder() ? AttentionFusion.Mode.OFF : options.attentionFusion());
            case PYTORCH -> TorchScriptEngine.open(directory.requireFile(ModelDirectory.TORCHSCRIPT_FILE),
                    options.device(), options.intraOpThreads(), family,
                    family.torchScriptInputs(directory.config()), batchSpec);
            case AUTO -> throw new IllegalStateException("AUTO is resolved above");
        };
    }

    /** The engine AUTO picks: ONNX when an ONNX file exists (or one is named), else TorchScript. */
    public static EngineKind resolveKind(ModelDirectory directory, EngineOptions options) {
        if (options.kind() != EngineKind.AUTO) {
            return options.kind();
        }
        if (options.onnxFile() != null || directory.onnxModel().isPresent()) {
            return EngineKind.ONNX;
        }
        if (directory.torchScriptModel().isPresent()) {
            return EngineKind.PYTORCH;
        }
        List<String> onnxFiles = directory.onnxFiles();
        throw new ModelLoadException("Model directory " + directory.root() + " has no model file: expected "
                + ModelDirectory.ONNX_FILE + " or " + ModelDirectory.ROOT_ONNX_FILE + " (ONNX) or "
                + ModelDirectory.TORCHSCRIPT_FILE + " (TorchScript)" + (onnxFiles.isEmpty() ? ""
                : "; it has " + onnxFiles + ": choose one with onnxFile(...)"));
    }

    /** The ONNX file an engine would load, naming the directory when there is none. */
    public static Path onnxFile(ModelDirectory directory, EngineOptions options) {
        if (options.onnxFile() != null) {
            return directory.onnxModel(options.onnxFile());
        }
        Optional<Path> file = directory.onnxModel();
        return file.orElseGet(() -> directory.requireFile(ModelDirectory.ONNX_FILE));
    }

    /** The file a given engine kind would load, for cache keys and reports. */
    public static Path modelFile(ModelDirectory directory, EngineOptions options) {
        return resolveKind(directory, options) == EngineKind.PYTORCH
                ? directory.requireFile(ModelDirectory.TORCHSCRIPT_FILE)
                : onnxFile(directory, options);
    }
}
