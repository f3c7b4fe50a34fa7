package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fields of a Hugging Face {@code config.json} that inference needs. Unknown fields are kept in {@link #raw()}
 * so that model families with their own sections (ColBERT's {@code colbert}) can read them without a second parser.
 * The config's {@code max_length} is deliberately not read: in Hugging Face it is a generation setting (default
 * 20), not the sequence limit (see {@code MaxLengthPolicy}).
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

    /** {@code model_type} (e.g. {@code xlm-roberta}), if stated. */
    public Optional<String> modelType() {
        return raw.hasNonNull("model_type") ? Optional.of(raw.get("model_type").asText()) : Optional.empty();
    }

    /** {@code architectures} class names (e.g. {@code XLMRobertaForSequenceClassification}); empty if absent. */
    public List<String> architectures() {
        List<String> names = new ArrayList<>();
        raw.path("architectures").forEach(node -> names.add(node.asText()));
        return List.copyOf(names);
    }

    public Optional<Long> padTokenId() {
        JsonNode value = raw.get("pad_token_id");
        return value != null && value.canConvertToLong() ? Optional.of(value.asLong()) : Optional.empty();
    }

    /** {@code type_vocab_size}: 0 means the model has no token type embeddings (DeBERTa-v3). */
    public int typeVocabSize() {
        return intOr("type_vocab_size", 2);
    }

    /** Classifier labels by index ({@code id2label}), in index order; empty if the config has none. */
    public SortedMap<Integer, String> id2label() {
        SortedMap<Integer, String> labels = new TreeMap<>();
        raw.path("id2label").fields().forEachRemaining(entry -> {
            try {
                labels.put(Integer.parseInt(entry.getKey()), entry.getValue().asText());
            } catch (NumberFormatException e) {
                throw new ModelLoadException("Model config " + file + " has a non-numeric id2label key '"
                        + entry.getKey() + "'");
            }
        });
        return labels;
    }

    /** {@code num_labels}, else the size of {@code id2label}, else 1. */
    public int numLabels() {
        int labels = intOr("num_labels", 0);
        return labels > 0 ? labels : Math.max(1, id2label().size());
    }

    /** A boolean field, or the fallback when absent. */
    public boolean bool(String field, boolean fallback) {
        JsonNode value = raw.get(field);
        return value != null && value.isBoolean() ? value.asBoolean() : fallback;
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
