package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DecoderFamilyTest {

    @Test
    void qwen_configs_are_decoders_padded_left_with_the_tokenizers_pad_token() {
        Path causal = TestModels.decoderFixture("tiny-qwen3-reranker-causal");
        ModelConfig causalConfig = ModelConfig.load(causal.resolve("config.json"));
        ModelConfig seqClsConfig = ModelConfig.load(TestModels.decoderFixture("tiny-qwen3-reranker-seq-cls")
                .resolve("config.json"));
        ModelFamily family = ModelFamily.of(causalConfig);
        assertThat(family.decoder()).isTrue();
        assertThat(ModelFamily.of(seqClsConfig)).isSameAs(family);

        String padToken = TestModels.readJson(causal.resolve("tokenizer_config.json")).get("pad_token").asText();
        try (TextTokenizer tokenizer = TextTokenizer.open(causal.resolve("tokenizer.json"), 64)) {
            long padId = tokenizer.tokenIds(padToken)[0];
            assertThat(family.padTokenId(causalConfig)).as("family default, the config has none").isEqualTo(padId);
            assertThat(family.padTokenId(seqClsConfig)).as("seq-cls config.json pad_token_id").isEqualTo(padId);
        }
        BatchSpec spec = family.batchSpec(causalConfig);
        assertThat(spec.paddingSide()).isEqualTo(BatchSpec.PaddingSide.LEFT);
        TokenBatch batch = TokenBatch.of(List.of(EncodedInput.of(new long[] {7, 8, 9}), EncodedInput.of(new long[] {5})),
                spec);
        assertThat(batch.inputIds()).containsExactly(7, 8, 9, spec.padTokenId(), spec.padTokenId(), 5);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 0, 1);
        assertThat(batch.positionIds()).containsExactly(0, 1, 2, 1, 1, 0);
        assertThat(batch.lastTokenIndex(0)).isEqualTo(2);
        assertThat(batch.lastTokenIndex(1)).isEqualTo(2);
    }
}
