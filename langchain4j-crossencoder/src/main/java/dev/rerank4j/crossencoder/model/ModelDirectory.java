package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A model in Hugging Face layout on local disk: {@code config.json}, {@code tokenizer.json} and at least one of
 * {@code onnx/model.onnx} (transformers.js / hub layout), {@code model.onnx} at the top (Optimum's layout) or
 * {@code model.pt} (TorchScript). External-data files the graph references, whatever their names, are found by
 * ONNX Runtime next to the graph. Optional: {@code tokenizer_config.json}, {@code sentence_bert_config.json}.
 * A local directory never touches the network.
 */
public final class ModelDirectory {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String ONNX_FILE = "onnx/model.onnx";
    /** Where Optimum's {@code ORTModel.save_pretrained} puts the graph. */
    public static final String ROOT_ONNX_FILE = "model.onnx";
    public static final String TORCHSCRIPT_FILE = "model.pt";
    /** Optional: the tokenizer's settings, among them {@code model_max_length}. */
    public static final String TOKENIZER_CONFIG_FILE = "tokenizer_config.json";
    /** Optional: sentence-transformers' module settings, among them {@code max_seq_length}. */
    public static final String SENTENCE_BERT_CONFIG_FILE = "sentence_bert_config.json";
    /** A decoder reranker's own prompt template (see {@code dev.rerank4j.crossencoder.decoder.PromptTemplate}). */
    public static final String PROMPT_TEMPLATE_FILE = "prompt_template.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path root;
    private final ModelConfig config;

    private ModelDirectory(Path root, ModelConfig config) {
        this.root = root;
        this.config = config;
    }

    /** Opens a model directory, failing with a message that names the directory and the missing file. */
    public static ModelDirectory of(Path root) {
        ensureNotNull(root, "modelDirectory");
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
        return firstExisting(ONNX_FILE, ROOT_ONNX_FILE);
    }

    /**
     * A named ONNX file relative to the directory (e.g. {@code onnx/model_quantized.onnx},
     * {@code onnx/model_qint8_avx512_vnni.onnx}, {@code onnx/model_O3.onnx}); the error for a missing one lists
     * the ONNX files the directory has.
     */
    public Path onnxModel(String relativePath) {
        Path file = root.resolve(relativePath).normalize();
        if (!file.startsWith(root)) {
            throw new IllegalArgumentException("onnxFile '" + relativePath + "' leaves the model directory " + root);
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("Missing " + relativePath + " in model directory " + root
                    + "; ONNX files there: " + onnxFiles());
        }
        return file;
    }

    /** ONNX files at the top level and in {@code onnx/}, relative to the directory. */
    public List<String> onnxFiles() {
        try (Stream<Path> files = Files.walk(root, 2)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".onnx") && Files.isRegularFile(p))
                    .map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public Optional<Path> torchScriptModel() {
        return firstExisting(TORCHSCRIPT_FILE);
    }

    /** An optional JSON file of the directory (e.g. {@link #TOKENIZER_CONFIG_FILE}); a malformed one is an error. */
    public Optional<JsonNode> optionalJson(String relativePath) {
        Path file = root.resolve(relativePath);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readTree(file.toFile()));
        } catch (IOException e) {
            throw new ModelLoadException("Cannot parse " + relativePath + " in model directory " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The files holding a model's weights: the model file and, for an ONNX file, exactly the external-data files
     * its graph references ({@link OnnxExternalData}), whatever their names, from which ONNX Runtime reads the
     * weights that are not in the graph file.
     */
    public static List<Path> weightFiles(Path modelFile) {
        List<Path> files = new ArrayList<>(List.of(modelFile));
        if (modelFile.getFileName().toString().endsWith(".onnx")) {
            Path folder = modelFile.toAbsolutePath().getParent();
            for (String location : OnnxExternalData.locations(modelFile)) {
                files.add(folder.resolve(location));
            }
        }
        return files;
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
