package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The conventions an architecture family shares, read from {@code config.json} ({@code model_type}, else the
 * {@code architectures} class names). Together with what the ONNX graph declares and what a probe run shows,
 * these make the {@link ModelSignature} every engine and scorer works from.
 *
 * <p>What differs between families, and where it is decided:
 * <ul>
 *   <li>position numbering ({@link PositionKind}, {@link #positionIds}): how many tokens fit the position table
 *   ({@link #positionLimit}) and what is fed as {@code position_ids} when an export asks for it;</li>
 *   <li>padding id and side ({@link #batchSpec}): RoBERTa exports compute positions from
 *   {@code input_ids != pad_token_id}, so padding must carry the real pad id;</li>
 *   <li>TorchScript inputs ({@link #torchScriptInputs}): a traced module takes them positionally, in the order
 *   Optimum's ONNX configs declare them (ONNX exports name theirs, so the graph decides there).</li>
 * </ul>
 *
 * <p>Adding a family is one more entry in {@link #KNOWN}. Decoder LLM rerankers ({@link #QWEN}, {@link #decoder()})
 * use {@link PositionKind#ROTARY}, {@link BatchSpec.PaddingSide#LEFT} and {@link PositionIds#countingAttended()};
 * their {@code [batch, sequence, vocab]} output is recognised by the probe ({@link OutputLayout}), and the prompt
 * and the last token's answer logits are the scorer's business (package {@code dev.rerank4j.crossencoder.decoder},
 * {@code DecoderReranking}). Nothing here branches on a model's name: only on {@code model_type} / architecture,
 * as Hugging Face's Auto classes do.
 */
public final class ModelFamily {

    private static final Logger log = LoggerFactory.getLogger(ModelFamily.class);
    private static final Set<Path> WARNED_UNKNOWN = ConcurrentHashMap.newKeySet();

    /** How a family turns token order into positions, which bounds the tokens a pair may have. */
    public enum PositionKind {
        /** A learnt table of {@code max_position_embeddings} rows, positions from 0 (BERT). */
        ABSOLUTE,
        /** A learnt table whose first {@code pad_token_id + 1} rows are never used by tokens (RoBERTa, XLM-R). */
        OFFSET_PAST_PADDING,
        /** Relative position buckets, no absolute table (DeBERTa-v2/v3 with {@code position_biased_input=false}). */
        RELATIVE,
        /** Rotary embeddings computed from the position (ModernBERT, decoder LLMs). */
        ROTARY
    }

    private static final List<ModelInput> IDS_MASK = List.of(ModelInput.INPUT_IDS, ModelInput.ATTENTION_MASK);
    private static final List<ModelInput> IDS_MASK_TYPES =
            List.of(ModelInput.INPUT_IDS, ModelInput.ATTENTION_MASK, ModelInput.TOKEN_TYPE_IDS);

    static final ModelFamily BERT = new ModelFamily("bert",
            Set.of("bert", "electra", "albert", "mobilebert", "megatron-bert", "distilbert"),
            Set.of("bert", "electra", "albert", "mobilebert", "megatronbert", "distilbert"), 0,
            config -> PositionKind.ABSOLUTE,
            config -> config.typeVocabSize() > 0 && !"distilbert".equals(config.modelType()) ? IDS_MASK_TYPES : IDS_MASK);
    static final ModelFamily ROBERTA = new ModelFamily("roberta",
            Set.of("roberta", "xlm-roberta", "xlm-roberta-xl", "camembert"),
            Set.of("roberta", "xlmroberta", "xlmrobertaxl", "camembert"), 1,
            config -> PositionKind.OFFSET_PAST_PADDING, config -> IDS_MASK);
    static final ModelFamily DEBERTA = new ModelFamily("deberta",
            Set.of("deberta", "deberta-v2"), Set.of("deberta", "debertav2"), 0,
            config -> config.bool("position_biased_input", true) ? PositionKind.ABSOLUTE : PositionKind.RELATIVE,
            config -> config.typeVocabSize() > 0 ? IDS_MASK_TYPES : IDS_MASK);
    static final ModelFamily MODERNBERT = new ModelFamily("modernbert",
            Set.of("modernbert"), Set.of("modernbert"), 50283,
            config -> PositionKind.ROTARY, config -> IDS_MASK);
    /**
     * Qwen2/Qwen2.5/Qwen3 decoders as rerankers (Qwen3-Reranker, mxbai-rerank-v2 and their seq-cls conversions):
     * causal attention, rotary positions counted over attended tokens, padding on the left as their model cards'
     * tokenizers do (the scorer pads causal-LM exports on the right, see DecoderReranking), pad id
     * {@code <|endoftext|>} (151643) unless config.json says otherwise.
     */
    static final ModelFamily QWEN = new ModelFamily("qwen", Set.of("qwen2", "qwen3"), Set.of("qwen2", "qwen3"), 151643,
            config -> PositionKind.ROTARY, config -> IDS_MASK, true);

    private static final List<ModelFamily> KNOWN = List.of(BERT, ROBERTA, DEBERTA, MODERNBERT, QWEN);

    private final String name;
    private final Set<String> modelTypes;
    private final Set<String> architecturePrefixes;
    private final long defaultPadTokenId;
    private final Function<ModelConfig, PositionKind> positionKind;
    private final Function<ModelConfig, List<ModelInput>> torchScriptInputs;
    private final boolean decoder;

    private ModelFamily(String name, Set<String> modelTypes, Set<String> architecturePrefixes, long defaultPadTokenId,
                        Function<ModelConfig, PositionKind> positionKind,
                        Function<ModelConfig, List<ModelInput>> torchScriptInputs) {
        this(name, modelTypes, architecturePrefixes, defaultPadTokenId, positionKind, torchScriptInputs, false);
    }

    private ModelFamily(String name, Set<String> modelTypes, Set<String> architecturePrefixes, long defaultPadTokenId,
                        Function<ModelConfig, PositionKind> positionKind,
                        Function<ModelConfig, List<ModelInput>> torchScriptInputs, boolean decoder) {
        this.decoder = decoder;
        this.name = name;
        this.modelTypes = modelTypes;
        this.architecturePrefixes = architecturePrefixes;
        this.defaultPadTokenId = defaultPadTokenId;
        this.positionKind = positionKind;
        this.torchScriptInputs = torchScriptInputs;
    }

    /**
     * The family of a config: by {@code model_type}, else by the {@code architectures} class names; an unknown
     * encoder gets BERT's conventions (logged); a decoder LM is refused with a message saying so.
     */
    public static ModelFamily of(ModelConfig config) {
        String type = config.modelType().map(t -> t.toLowerCase(Locale.ROOT)).orElse("");
        for (ModelFamily family : KNOWN) {
            if (family.modelTypes.contains(type)) {
                return family;
            }
        }
        for (String architecture : config.architectures()) {
            String prefix = architecturePrefix(architecture);
            for (ModelFamily family : KNOWN) {
                if (family.architecturePrefixes.contains(prefix)) {
                    return family;
                }
            }
        }
        List<String> decoders = config.architectures().stream().filter(a -> a.endsWith("ForCausalLM")).toList();
        if (!decoders.isEmpty()) {
            throw new ModelLoadException("Model " + config.file() + " is a decoder language model (" + decoders
                    + ", model_type '" + type + "'); decoder LLM rerankers are supported for model_type "
                    + QWEN.modelTypes + " (Qwen3-Reranker, mxbai-rerank-v2; see docs/llm-rerankers.md)");
        }
        if (WARNED_UNKNOWN.add(config.file())) { // a model load asks more than once; say it once per file
            log.warn("Unknown model_type '{}' (architectures {}) in {}: assuming BERT conventions (positions 0..n-1, "
                    + "pad id {}); check the scores against the model's reference implementation",
                    type, config.architectures(), config.file(), config.padTokenId().orElse(0L));
        }
        return BERT;
    }

    private static String architecturePrefix(String architecture) {
        int split = architecture.indexOf("For");
        String prefix = split > 0 ? architecture.substring(0, split) : architecture;
        if (prefix.endsWith("Model")) {
            prefix = prefix.substring(0, prefix.length() - "Model".length());
        }
        return prefix.toLowerCase(Locale.ROOT);
    }

    public String name() {
        return name;
    }

    public PositionKind positionKind(ModelConfig config) {
        return positionKind.apply(config);
    }

    /** The config's {@code pad_token_id}, else the family's usual one. */
    public long padTokenId(ModelConfig config) {
        return config.padTokenId().orElse(defaultPadTokenId);
    }

    /**
     * Tokens per sequence (special tokens included) the model can address: {@code max_position_embeddings}, less
     * {@code pad_token_id + 1} for RoBERTa-style tables. For relative and rotary positions it is the length the
     * model was built for; going beyond is not an index error but untrained territory, so it is a limit too.
     */
    public int positionLimit(ModelConfig config) {
        int positions = config.maxPositionEmbeddings();
        return positionKind(config) == PositionKind.OFFSET_PAST_PADDING
                ? positions - (int) (padTokenId(config) + 1) : positions;
    }

    /** Why {@link #positionLimit} is what it is, for messages. */
    public String positionLimitReason(ModelConfig config) {
        int positions = config.maxPositionEmbeddings();
        return positionKind(config) == PositionKind.OFFSET_PAST_PADDING
                ? "max_position_embeddings " + positions + " - (pad_token_id " + padTokenId(config) + " + 1)"
                : "max_position_embeddings " + positions;
    }

    public PositionIds positionIds(ModelConfig config) {
        if (decoder) {
            return PositionIds.countingAttended();
        }
        return positionKind(config) == PositionKind.OFFSET_PAST_PADDING
                ? PositionIds.offsetPastPadding(padTokenId(config)) : PositionIds.sequential();
    }

    public BatchSpec batchSpec(ModelConfig config) {
        return new BatchSpec(padTokenId(config), decoder ? BatchSpec.PaddingSide.LEFT : BatchSpec.PaddingSide.RIGHT,
                positionIds(config));
    }

    /** A decoder LLM read as a reranker (causal attention, a prompt template, the last token's prediction). */
    public boolean decoder() {
        return decoder;
    }

    /** The inputs a TorchScript export of this family takes, positionally. */
    public List<ModelInput> torchScriptInputs(ModelConfig config) {
        return torchScriptInputs.apply(config);
    }

    @Override
    public String toString() {
        return name;
    }
}
