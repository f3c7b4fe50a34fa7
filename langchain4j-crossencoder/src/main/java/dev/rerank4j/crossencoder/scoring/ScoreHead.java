package dev.rerank4j.crossencoder.scoring;

import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.OutputLayout;
import dev.rerank4j.crossencoder.runtime.internal.OutputTensor;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Reads one score per pair from a model's output, chosen once at load time from the probed {@link OutputLayout}
 * and {@code config.json}:
 * <ul>
 *   <li>{@code [batch]}, {@code [batch, 1]}, {@code [batch, 1, 1]}: the single logit; {@code normalize} = sigmoid;</li>
 *   <li>{@code [batch, labels]}: the logit of the relevant label (given, else the {@code id2label} entry named
 *   relevant / entailment / 1, else the last label); {@code normalize} = its softmax probability;</li>
 *   <li>anything else: a {@link ModelLoadException} naming the shape.</li>
 * </ul>
 * Another kind of reranker (a decoder LM reading the last token's yes/no logits) is another implementation.
 */
interface ScoreHead {

    /** Label names taken as "relevant" when the caller names none, compared case-insensitively. */
    Set<String> RELEVANT_LABELS = Set.of("relevant", "entailment", "1");

    /** The score of one batch row. */
    double score(OutputTensor output, int row, TokenBatch batch);

    /** Part of the model identity: which value is read and how it is normalised. */
    String describe();

    static ScoreHead choose(OutputLayout layout, String outputName, ModelConfig config, Integer labelIndex,
                            String label, boolean normalize, Path modelFile) {
        long values = layout.valuesPerRow();
        if (values < 1 || (values > 1 && layout.rank() != 2)) {
            throw new ModelLoadException("Model " + modelFile + " output '" + outputName + "' has shape " + layout
                    + "; a cross-encoder must output one logit per pair ([batch], [batch, 1], [batch, 1, 1]) or one "
                    + "per label ([batch, labels])" + (layout.rank() == 3 && values < 1
                    ? ". This looks like token states (e.g. last_hidden_state): export the model with its "
                    + "sequence-classification head (task text-classification), or choose another output with outputName"
                    : ""));
        }
        SortedMap<Integer, String> labels = config.id2label();
        if (values == 1) {
            if ((labelIndex != null && labelIndex != 0) || (label != null && !label.equals(labels.get(0)))) {
                throw new IllegalArgumentException("labelIndex/label: model " + modelFile + " outputs a single logit "
                        + "per pair (" + layout + "), there is no label to choose");
            }
            return new SingleLogit(normalize);
        }
        int k = (int) values;
        if (!labels.isEmpty() && labels.size() != k) {
            throw new ModelLoadException("Model " + modelFile + " outputs " + k + " values per pair (" + layout
                    + ") but config.json id2label names " + labels.size() + " labels " + labels.values());
        }
        int index = labelIndex(labelIndex, label, labels, k, modelFile);
        return new LabelLogit(index, k, labels.getOrDefault(index, "LABEL_" + index), normalize);
    }

    private static int labelIndex(Integer labelIndex, String label, SortedMap<Integer, String> labels, int k,
                                  Path modelFile) {
        if (labelIndex != null) {
            if (labelIndex < 0 || labelIndex >= k) {
                throw new IllegalArgumentException("labelIndex " + labelIndex + " is outside the model's " + k
                        + " labels " + labels.values() + " (" + modelFile + ")");
            }
            return labelIndex;
        }
        if (label != null) {
            return labels.entrySet().stream().filter(e -> e.getValue().equals(label)).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("label '" + label
                            + "' is not among the model's labels " + labels.values() + " (id2label in config.json)"));
        }
        List<Integer> relevant = labels.entrySet().stream()
                .filter(e -> RELEVANT_LABELS.contains(e.getValue().toLowerCase(Locale.ROOT)))
                .map(Map.Entry::getKey).toList();
        return relevant.size() == 1 ? relevant.get(0) : k - 1;
    }

    /** One logit per pair. */
    record SingleLogit(boolean normalize) implements ScoreHead {
        @Override
        public double score(OutputTensor output, int row, TokenBatch batch) {
            double logit = output.data()[row];
            return normalize ? 1.0 / (1.0 + Math.exp(-logit)) : logit;
        }

        @Override
        public String describe() {
            return normalize ? "sigmoid" : "logit";
        }
    }

    /** The logit (or softmax probability) of one label out of {@code labels}. */
    record LabelLogit(int index, int labels, String name, boolean normalize) implements ScoreHead {
        @Override
        public double score(OutputTensor output, int row, TokenBatch batch) {
            float[] data = output.data();
            int offset = row * labels;
            if (!normalize) {
                return data[offset + index];
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < labels; i++) {
                max = Math.max(max, data[offset + i]);
            }
            double sum = 0;
            for (int i = 0; i < labels; i++) {
                sum += Math.exp(data[offset + i] - max);
            }
            return Math.exp(data[offset + index] - max) / sum;
        }

        @Override
        public String describe() {
            return (normalize ? "softmax" : "logit") + " of label " + index + " '" + name + "' of " + labels;
        }
    }
}
