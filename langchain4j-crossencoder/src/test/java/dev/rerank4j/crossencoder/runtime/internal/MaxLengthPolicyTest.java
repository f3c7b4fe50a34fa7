package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Family detection and the max-length policy, on config files shaped like the published ones. */
class MaxLengthPolicyTest {

    @TempDir
    Path temp;

    private ModelDirectory model(String config, String tokenizerConfig, String sentenceBertConfig) {
        try {
            Path dir = Files.createTempDirectory(temp, "model");
            Files.writeString(dir.resolve("config.json"), config);
            Files.writeString(dir.resolve("tokenizer.json"), "{}"); // the policy never opens it
            if (tokenizerConfig != null) {
                Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
            }
            if (sentenceBertConfig != null) {
                Files.writeString(dir.resolve("sentence_bert_config.json"), sentenceBertConfig);
            }
            return ModelDirectory.of(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MaxLengthPolicy.Choice choose(Integer requested, ModelDirectory directory) {
        return MaxLengthPolicy.choose(requested, directory, ModelFamily.of(directory.config()));
    }

    private static final String XLMR_BASE = """
            {"model_type": "xlm-roberta", "architectures": ["XLMRobertaForSequenceClassification"],
             "max_position_embeddings": 514, "pad_token_id": 1, "max_length": 20}""";
    private static final String XLMR_M3 = """
            {"model_type": "xlm-roberta", "max_position_embeddings": 8194, "pad_token_id": 1}""";

    @Test
    void roberta_family_limit_is_positions_minus_pad_plus_one_and_config_max_length_is_ignored() {
        ModelDirectory directory = model(XLMR_BASE, null, null);

        MaxLengthPolicy.Choice choice = choose(null, directory);

        assertThat(choice.maxLength()).isEqualTo(512);
        assertThat(choice.reason()).contains("max_position_embeddings 514 - (pad_token_id 1 + 1)");
    }

    @Test
    void tokenizer_model_max_length_is_the_default() {
        assertThat(choose(null, model(XLMR_BASE, "{\"model_max_length\": 256}", null)).maxLength()).isEqualTo(256);
    }

    @Test
    void sentence_transformers_max_seq_length_wins_over_the_tokenizer() {
        MaxLengthPolicy.Choice choice = choose(null,
                model(XLMR_BASE, "{\"model_max_length\": 512}", "{\"max_seq_length\": 128, \"do_lower_case\": false}"));

        assertThat(choice.maxLength()).isEqualTo(128);
        assertThat(choice.reason()).contains("sentence_bert_config.json");
    }

    @Test
    void unset_sentinel_of_model_max_length_falls_back_to_the_positions() {
        String sentinel = "{\"model_max_length\": 1000000000000000019884624838656}";

        assertThat(choose(null, model(XLMR_BASE, sentinel, null)).maxLength()).isEqualTo(512);
    }

    @Test
    void long_context_models_default_to_512_with_the_reason_and_the_full_context_on_request() {
        ModelDirectory m3 = model(XLMR_M3, "{\"model_max_length\": 8192}", null);

        MaxLengthPolicy.Choice choice = choose(null, m3);
        assertThat(choice.maxLength()).isEqualTo(MaxLengthPolicy.LONG_CONTEXT_DEFAULT);
        assertThat(choice.reason()).contains("8192").contains("long-context default 512").contains("maxLength(8192)");

        assertThat(choose(8192, m3).maxLength()).isEqualTo(8192);
        assertThatThrownBy(() -> choose(8193, m3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 8193").hasMessageContaining("8194 - (pad_token_id 1 + 1)");
    }

    @Test
    void model_max_length_above_the_positions_is_capped_by_them() {
        ModelDirectory directory = model("{\"model_type\": \"roberta\", \"max_position_embeddings\": 130, "
                + "\"pad_token_id\": 1}", "{\"model_max_length\": 512}", null);

        MaxLengthPolicy.Choice choice = choose(null, directory);

        assertThat(choice.maxLength()).isEqualTo(128);
        assertThat(choice.reason()).contains("capped by the position limit 128");
    }

    @Test
    void families_are_read_from_model_type_or_architectures() {
        assertThat(family("{\"model_type\": \"xlm-roberta\"}")).isSameAs(ModelFamily.ROBERTA);
        assertThat(family("{\"architectures\": [\"XLMRobertaForSequenceClassification\"]}")).isSameAs(ModelFamily.ROBERTA);
        assertThat(family("{\"model_type\": \"deberta-v2\"}")).isSameAs(ModelFamily.DEBERTA);
        assertThat(family("{\"architectures\": [\"ModernBertForSequenceClassification\"]}")).isSameAs(ModelFamily.MODERNBERT);
        assertThat(family("{\"model_type\": \"electra\"}")).isSameAs(ModelFamily.BERT);
        assertThat(family("{\"model_type\": \"something-new\"}")).as("unknown encoder: BERT conventions").isSameAs(ModelFamily.BERT);
    }

    @Test
    void family_conventions_follow_the_config() {
        ModelConfig deberta = model("{\"model_type\": \"deberta-v2\", \"position_biased_input\": false, "
                + "\"type_vocab_size\": 0, \"max_position_embeddings\": 512}", null, null).config();
        assertThat(ModelFamily.DEBERTA.positionKind(deberta)).isEqualTo(ModelFamily.PositionKind.RELATIVE);
        assertThat(ModelFamily.DEBERTA.torchScriptInputs(deberta))
                .containsExactly(ModelInput.INPUT_IDS, ModelInput.ATTENTION_MASK);
        ModelConfig modernbert = model("{\"model_type\": \"modernbert\"}", null, null).config();
        assertThat(ModelFamily.MODERNBERT.padTokenId(modernbert)).as("family default").isEqualTo(50283);
    }

    @Test
    void decoder_language_models_of_unsupported_families_are_refused_with_a_clear_message() {
        // Qwen decoders are rerankers (ModelFamily.QWEN, docs/llm-rerankers.md); others have no conventions here
        assertThat(family("{\"model_type\": \"qwen3\", \"architectures\": [\"Qwen3ForCausalLM\"]}").decoder())
                .isTrue();
        assertThatThrownBy(() -> family("{\"model_type\": \"llama\", \"architectures\": [\"LlamaForCausalLM\"]}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("LlamaForCausalLM").hasMessageContaining("decoder");
    }

    private ModelFamily family(String config) {
        return ModelFamily.of(model(config, null, null).config());
    }
}
