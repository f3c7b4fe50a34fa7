package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of a Hugging Face {@code config.json} that inference needs. Unknown fields are kept in {@link #raw()}
 * so that model families with their own sections (ColBERT's {@code colbert}) can read them without a second parser.
 */
public final class ModelConfig {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int DEFAULT_MAX_POSITIONS = 512;

    private final JsonNode raw;
    private final Path file;

    private ModelConfig(JsonNode raw, Path file) {
        this.raw = raw;
        this.file = file;
    }

    public static ModelConfig load(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            throw new ModelLoadException("Missing model config " + configFile.getFileName() + " in directory "
                    + configFile.toAbsolutePath().getParent());
        }
        try {
            JsonNode node = MAPPER.readTree(configFile.toFile());
            if (node == null || !node.isObject()) {
                throw new ModelLoadException("Model config " + configFile.toAbsolutePath() + " is not a JSON object");
            }
            return new ModelConfig(node, configFile);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot parse model config " + configFile.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The whole parsed config, for model-family sections this class does not interpret. */
    public JsonNode raw() {
        return raw;
    }

    public int maxPositionEmbeddings() {
        return intOr("max_position_embeddings", DEFAULT_MAX_POSITIONS);
    }

    /** The sequence length the model was trained or exported for ({@code max_length}), if the config states one. */
    public Optional<Integer> maxLength() {
        return raw.hasNonNull("max_length") ? Optional.of(raw.get("max_length").asInt()) : Optional.empty();
    }

    public int hiddenSize() {
        return intOr("hidden_size", 0);
    }

    public int numHiddenLayers() {
        return intOr("num_hidden_layers", 0);
    }

    public int intermediateSize() {
        return intOr("intermediate_size", 4 * hiddenSize());
    }

    public int numAttentionHeads() {
        return intOr("num_attention_heads", 0);
    }

    public int vocabSize() {
        return intOr("vocab_size", 0);
    }

    /** Name of the model output to read ({@code output_name}), if the export states one. */
    public Optional<String> outputName() {
        return raw.hasNonNull("output_name") ? Optional.of(raw.get("output_name").asText()) : Optional.empty();
    }

    private int intOr(String field, int fallback) {
        JsonNode value = raw.get(field);
        return value != null && value.canConvertToInt() ? value.asInt() : fallback;
    }
}
