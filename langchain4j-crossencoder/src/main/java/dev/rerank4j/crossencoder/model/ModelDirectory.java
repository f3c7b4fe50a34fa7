package dev.rerank4j.crossencoder.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model in Hugging Face layout on local disk: {@code config.json}, {@code tokenizer.json} and at least one of
 * {@code onnx/model.onnx} (external-data files beside it are found by ONNX Runtime) or {@code model.pt}
 * (TorchScript). A local directory never touches the network.
 */
public final class ModelDirectory {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String ONNX_FILE = "onnx/model.onnx";
    public static final String TORCHSCRIPT_FILE = "model.pt";

    private final Path root;
    private final ModelConfig config;

    private ModelDirectory(Path root, ModelConfig config) {
        this.root = root;
        this.config = config;
    }

    /** Opens a model directory, failing with a message that names the directory and the missing file. */
    public static ModelDirectory of(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("modelDirectory cannot be null");
        }
        Path dir = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("Model directory " + dir + " does not exist or is not a directory");
        }
        requireFile(dir, CONFIG_FILE);
        requireFile(dir, TOKENIZER_FILE);
        return new ModelDirectory(dir, ModelConfig.load(dir.resolve(CONFIG_FILE)));
    }

    public Path root() {
        return root;
    }

    public ModelConfig config() {
        return config;
    }

    public Path tokenizerFile() {
        return root.resolve(TOKENIZER_FILE);
    }

    /** The default ONNX export: {@code onnx/model.onnx}, or {@code model.onnx} at the top level. */
    public Optional<Path> onnxModel() {
        return firstExisting(ONNX_FILE, "model.onnx");
    }

    /** A named ONNX file relative to the directory (e.g. {@code onnx/model_qint8.onnx}); it must exist. */
    public Path onnxModel(String relativePath) {
        return requireFile(root, relativePath);
    }

    public Optional<Path> torchScriptModel() {
        return firstExisting(TORCHSCRIPT_FILE);
    }

    /** A relative file that must exist; the error names the file and the directory. */
    public Path requireFile(String relativePath) {
        return requireFile(root, relativePath);
    }

    @Override
    public String toString() {
        return root.toString();
    }

    private Optional<Path> firstExisting(String... candidates) {
        for (String candidate : candidates) {
            Path path = root.resolve(candidate);
            if (Files.isRegularFile(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    private static Path requireFile(Path dir, String relativePath) {
        Path file = dir.resolve(relativePath);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("Missing " + relativePath + " in model directory " + dir
                    + " (expected file " + file + ")");
        }
        return file;
    }
}
