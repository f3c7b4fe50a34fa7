package dev.rerank4j.crossencoder.scoring;

import dev.rerank4j.crossencoder.decoder.PromptEncoder;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.runtime.internal.BatchSpec;
import dev.rerank4j.crossencoder.runtime.internal.MaxLengthPolicy;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.ModelSignature;
import dev.rerank4j.crossencoder.runtime.internal.OutputLayout;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * What {@link CrossEncoderScoringModel} does differently for a decoder LLM reranker ({@link ModelFamily#decoder()}):
 * the prompt ({@link PromptTemplate}, {@link PromptEncoder}), the max length (the template's, i.e. the model card's),
 * the score head (a seq-cls conversion's single logit, or a causal LM's answer-token logits at the last token), the
 * padding side, and the memory bound on full {@code [batch, sequence, vocab]} logits. The batching, engine, cache
 * and statistics are the shared core's.
 *
 * <p>Padding: sequence-classification conversions are padded on the left, as the model cards' tokenizers do (their
 * in-graph pooling then finds the last token whichever way it looks). Causal-LM exports are padded on the right and
 * read at each row's last real token: causal attention never looks right, so trailing padding cannot change a row
 * whatever the export does with the mask, and fused attention kernels that derive sequence lengths from the mask
 * (ONNX Runtime's {@code GroupQueryAttention}) expect exactly that.
 */
final class DecoderReranking {

    /** Default bound on one batch's full logits ({@code [batch, sequence, vocab]} float32) when the graph is not cut. */
    static final long DEFAULT_LOGITS_MEMORY_BUDGET = 512L * 1024 * 1024;

    private final PromptTemplate template;
    private final PromptEncoder encoder;
    private final ScoreHead head;
    private final BatchSpec batchSpec;
    private final int maxLength;
    private final int maxBatchTokens;
    private final String description;

    private DecoderReranking(PromptTemplate template, PromptEncoder encoder, ScoreHead head, BatchSpec batchSpec,
                             int maxLength, int maxBatchTokens, String description) {
        this.template = template;
        this.encoder = encoder;
        this.head = head;
        this.batchSpec = batchSpec;
        this.maxLength = maxLength;
        this.maxBatchTokens = maxBatchTokens;
        this.description = description;
    }

    /** The caller's template, else the model directory's ({@link PromptTemplate#forModel}). */
    static PromptTemplate template(PromptTemplate requested, ModelDirectory directory) {
        return requested != null ? requested : PromptTemplate.forModel(directory);
    }

    /** The caller's max length (checked against the positions), else the template's, capped by the positions. */
    static MaxLengthPolicy.Choice maxLength(Integer requested, PromptTemplate template, ModelDirectory directory,
                                            ModelFamily family) {
        if (requested != null) {
            return MaxLengthPolicy.choose(requested, directory, family);
        }
        int limit = family.positionLimit(directory.config());
        return template.maxLength() <= limit
                ? new MaxLengthPolicy.Choice(template.maxLength(), "prompt template " + template.name()
                + " max_length (the model card's)")
                : new MaxLengthPolicy.Choice(limit, "prompt template " + template.name() + " max_length "
                + template.maxLength() + ", capped by the position limit " + family.positionLimitReason(directory.config()));
    }

    /**
     * Completes the set-up once the engine is open and its output probed.
     *
     * @param explicitMaxLength whether the caller set the max length (then it is never lowered silently)
     */
    static DecoderReranking open(PromptTemplate template, TextTokenizer tokenizer, MaxLengthPolicy.Choice maxLength,
                                 boolean explicitMaxLength, String instruction, ModelSignature signature,
                                 ScoreHeadOptions headOptions, long logitsMemoryBudget, int maxBatchTokens,
                                 Path modelFile) {
        OutputLayout layout = signature.output();
        int length = maxLength.maxLength();
        String lengthReason = maxLength.reason();
        int batchTokens = maxBatchTokens;
        long bytesPerToken = fullLogitsBytesPerToken(layout);
        if (bytesPerToken > 0) {
            long tokensInBudget = logitsMemoryBudget / bytesPerToken;
            if (tokensInBudget < length) {
                if (explicitMaxLength || tokensInBudget < 8) {
                    throw new IllegalArgumentException("maxLength " + length + ": one prompt's logits ([1, " + length
                            + ", " + layout.axes().get(2) + "] float32) need " + length * bytesPerToken + " bytes, more "
                            + "than logitsMemoryBudget " + logitsMemoryBudget + " (" + modelFile + " computes logits "
                            + "at every position: its graph could not be cut); lower maxLength or raise the budget");
                }
                length = (int) tokensInBudget;
                lengthReason += ", lowered to " + length + " so one prompt's full logits fit logitsMemoryBudget "
                        + logitsMemoryBudget;
            }
            batchTokens = (int) Math.min(batchTokens, tokensInBudget);
        }
        PromptEncoder encoder = PromptEncoder.create(template, tokenizer, length, instruction);
        ScoreHead head = head(layout, signature.outputName(), encoder, headOptions, modelFile);
        BatchSpec spec = head instanceof AnswerLogitHead
                ? new BatchSpec(signature.batch().padTokenId(), BatchSpec.PaddingSide.RIGHT,
                signature.batch().positionIds())
                : signature.batch();
        String description = "prompt " + template + (encoder.instruction() != null ? " with instruction \""
                + encoder.instruction() + "\"" : "") + ", maxLength " + length + " (" + lengthReason + "), padding "
                + spec.paddingSide().name().toLowerCase(Locale.ROOT)
                + (bytesPerToken > 0 ? ", batches of at most " + batchTokens + " tokens (full logits within "
                + logitsMemoryBudget + " bytes)" : "");
        return new DecoderReranking(template, encoder, head, spec, length, batchTokens, description);
    }

    /** The caller's choices for reading a seq-cls conversion with several labels (as for encoders). */
    record ScoreHeadOptions(dev.rerank4j.crossencoder.model.ModelConfig config, Integer labelIndex, String label,
                            boolean normalize) {
    }

    /** A seq-cls conversion by its config ({@code *ForSequenceClassification}): no LM head to cut. */
    static boolean sequenceClassification(dev.rerank4j.crossencoder.model.ModelConfig config) {
        return config.architectures().stream().anyMatch(a -> a.endsWith("ForSequenceClassification"));
    }

    /** Bytes of full float32 logits per token for {@code [batch, sequence, vocab]}; 0 for any other layout. */
    static long fullLogitsBytesPerToken(OutputLayout layout) {
        List<OutputLayout.Axis> axes = layout.axes();
        return axes.size() == 3 && axes.get(0).kind() == OutputLayout.Kind.BATCH
                && axes.get(1).kind() == OutputLayout.Kind.SEQUENCE && axes.get(2).kind() == OutputLayout.Kind.FIXED
                ? axes.get(2).size() * Float.BYTES : 0;
    }

    private static ScoreHead head(OutputLayout layout, String outputName, PromptEncoder encoder,
                                  ScoreHeadOptions options, Path modelFile) {
        if (layout.fixedPerRow() && (layout.valuesPerRow() == 1 || layout.rank() == 2)) {
            // a sequence-classification conversion: the score is computed inside the graph
            return ScoreHead.choose(layout, outputName, options.config(), options.labelIndex(), options.label(),
                    options.normalize(), modelFile);
        }
        List<OutputLayout.Axis> axes = layout.axes();
        boolean vocabLogits = axes.size() == 3 && layout.batchFirst() && axes.get(2).kind() == OutputLayout.Kind.FIXED
                && (axes.get(1).kind() == OutputLayout.Kind.SEQUENCE
                || (axes.get(1).kind() == OutputLayout.Kind.FIXED && axes.get(1).size() == 1));
        if (!vocabLogits) {
            throw new ModelLoadException("Decoder model " + modelFile + " output '" + outputName + "' has shape "
                    + layout + "; a decoder reranker needs one logit per pair ([batch], [batch, 1]: a "
                    + "sequence-classification conversion) or LM logits [batch, sequence, vocab] (a causal-LM export)");
        }
        long vocab = axes.get(2).size();
        if (options.labelIndex() != null || options.label() != null) {
            throw new IllegalArgumentException("labelIndex/label: " + modelFile + " is a causal LM read through the "
                    + "answer tokens of its prompt template, there is no label to choose");
        }
        for (long id : new long[] {encoder.positiveTokenId(), encoder.negativeTokenId()}) {
            if (id >= vocab) {
                throw new ModelLoadException("Answer token id " + id + " (prompt template " + encoder.template()
                        + ") is outside the " + vocab + " logits of " + modelFile + " output '" + outputName
                        + "': the tokenizer does not belong to this model");
            }
        }
        return new AnswerLogitHead(encoder.positiveTokenId(), encoder.negativeTokenId(), (int) vocab,
                axes.get(1).kind() == OutputLayout.Kind.FIXED, options.normalize());
    }

    BiFunction<String, List<String>, TextTokenizer.PairEncodings> pairEncoder(Truncation truncation) {
        return (query, passages) -> encoder.encode(query, passages, truncation);
    }

    PromptTemplate template() {
        return template;
    }

    PromptEncoder encoder() {
        return encoder;
    }

    ScoreHead head() {
        return head;
    }

    BatchSpec batchSpec() {
        return batchSpec;
    }

    int maxLength() {
        return maxLength;
    }

    /** Padded tokens per batch: the caller's bound, lowered to the logits budget for uncut causal-LM graphs. */
    int maxBatchTokens() {
        return maxBatchTokens;
    }

    /** Part of the model identity: which prompt and instruction produce the scores. */
    String identity() {
        return "|prompt=" + template.name() + ":" + template.fingerprint() + "|instruction=" + encoder.instruction();
    }

    @Override
    public String toString() {
        return description;
    }
}
