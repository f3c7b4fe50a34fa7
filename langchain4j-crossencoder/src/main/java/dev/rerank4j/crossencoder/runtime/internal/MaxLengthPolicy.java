package dev.rerank4j.crossencoder.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.model.ModelDirectory;

import java.util.Optional;

/**
 * Chooses the tokens per (query, passage) pair, special tokens included. In order:
 * <ol>
 *   <li>the user's {@code maxLength}, refused above the family's position limit;</li>
 *   <li>{@code sentence_bert_config.json} {@code max_seq_length} (sentence-transformers' own setting), else
 *   {@code tokenizer_config.json} {@code model_max_length} (ignoring Hugging Face's "unset" sentinel), else the
 *   position limit;</li>
 *   <li>capped by the position limit ({@link ModelFamily#positionLimit}: {@code max_position_embeddings}, minus
 *   {@code pad_token_id + 1} for RoBERTa-style tables), and, when no one asked for more, by
 *   {@value #LONG_CONTEXT_DEFAULT} for long-context models (8k positions): attention cost grows with the square of
 *   the length, and rerankers such as bge-reranker-v2-m3 are run at 512 by their own library.</li>
 * </ol>
 * The config's {@code max_length} is never read: it is a generation setting in Hugging Face (default 20).
 */
public final class MaxLengthPolicy {

    /** Default cap when the model allows more and the user did not ask for more. */
    public static final int LONG_CONTEXT_DEFAULT = 512;
    /** {@code model_max_length} values at or above this are Hugging Face's "no limit" sentinel (int(1e30)). */
    private static final double UNSET_SENTINEL = 1e12;

    private MaxLengthPolicy() {
    }

    /** The chosen length and where it came from, for logs and docs. */
    public record Choice(int maxLength, String reason) {
    }

    public static Choice choose(Integer requested, ModelDirectory directory, ModelFamily family) {
        ModelConfig config = directory.config();
        int limit = family.positionLimit(config);
        String limitReason = family.positionLimitReason(config);
        if (requested != null) {
            if (requested < 4) {
                throw new IllegalArgumentException("maxLength must be >= 4, but is: " + requested);
            }
            if (requested > limit) {
                throw new IllegalArgumentException("maxLength " + requested + " exceeds the " + limit
                        + " tokens the model's positions allow (" + limitReason + ", " + config.file() + ")");
            }
            return new Choice(requested, "maxLength(" + requested + ") set by the caller");
        }
        Optional<Choice> declared = declared(directory);
        if (declared.isEmpty()) {
            return capLongContext(limit, "no model_max_length/max_seq_length; the position limit " + limitReason);
        }
        Choice choice = declared.get();
        if (choice.maxLength() > limit) {
            return capLongContext(limit, choice.reason() + ", capped by the position limit " + limit + " = " + limitReason);
        }
        return capLongContext(choice.maxLength(), choice.reason());
    }

    private static Choice capLongContext(int length, String reason) {
        if (length > LONG_CONTEXT_DEFAULT) {
            return new Choice(LONG_CONTEXT_DEFAULT, reason + " allows " + length + " tokens; using the long-context "
                    + "default " + LONG_CONTEXT_DEFAULT + " (attention cost grows with the square of the length); "
                    + "set maxLength(" + length + ") to use the full context");
        }
        return new Choice(length, reason);
    }

    private static Optional<Choice> declared(ModelDirectory directory) {
        Optional<Integer> seq = positive(directory.optionalJson(ModelDirectory.SENTENCE_BERT_CONFIG_FILE), "max_seq_length");
        if (seq.isPresent()) {
            return Optional.of(new Choice(seq.get(), ModelDirectory.SENTENCE_BERT_CONFIG_FILE + " max_seq_length " + seq.get()));
        }
        Optional<Integer> model = positive(directory.optionalJson(ModelDirectory.TOKENIZER_CONFIG_FILE), "model_max_length");
        return model.map(n -> new Choice(n, ModelDirectory.TOKENIZER_CONFIG_FILE + " model_max_length " + n));
    }

    private static Optional<Integer> positive(Optional<JsonNode> json, String field) {
        return json.map(node -> node.get(field))
                .filter(JsonNode::isNumber)
                .filter(value -> value.asDouble() > 0 && value.asDouble() < UNSET_SENTINEL)
                .map(value -> (int) Math.min(Integer.MAX_VALUE, value.asLong()));
    }
}
