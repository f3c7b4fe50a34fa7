package dev.rerank4j.crossencoder.model;

import dev.rerank4j.crossencoder.runtime.internal.Digests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

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

    /**
     * The files holding a model's weights: the model file and, beside an ONNX file, its external-data files
     * ({@code *_data}, {@code *.data}), from which ONNX Runtime reads the weights that are not in the graph file.
     */
    public static List<Path> weightFiles(Path modelFile) {
        List<Path> files = new ArrayList<>(List.of(modelFile));
        if (modelFile.getFileName().toString().endsWith(".onnx")) {
            try (Stream<Path> siblings = Files.list(modelFile.toAbsolutePath().getParent())) {
                siblings.filter(ModelDirectory::isExternalData).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new ModelLoadException("Cannot list model folder " + modelFile.getParent() + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    private static boolean isExternalData(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith("_data") || name.endsWith(".data"));
    }

    /**
     * SHA-256 (hex) of everything that decides this model's outputs when it runs {@code modelFile}:
     * {@code config.json}, {@code tokenizer.json}, the model file and its external data, each with its name and
     * length. Score caches and ColBERT indexes key on it, so a fine-tune with the same config, or an edited
     * tokenizer, never passes for the original. Reads every byte: compute it once per model.
     */
    public String contentSha256(Path modelFile) {
        MessageDigest digest = Digests.sha256();
        List<Path> files = new ArrayList<>(List.of(root.resolve(CONFIG_FILE), tokenizerFile()));
        files.addAll(weightFiles(modelFile));
        for (Path file : files) {
            try {
                digest.update((file.getFileName() + "\0" + Files.size(file) + "\0").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelLoadException("Cannot read model file " + file + ": " + e.getMessage(), e);
            }
            Digests.update(digest, file);
        }
        return Digests.hex(digest);
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
