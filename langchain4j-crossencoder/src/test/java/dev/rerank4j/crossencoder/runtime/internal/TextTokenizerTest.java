package dev.rerank4j.crossencoder.runtime.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pairs read straight from the native encodings match what DJL's full {@link Encoding} says about them. */
class TextTokenizerTest {

    private static final int MAX_LENGTH = 64;
    private static final String WORDS = "Vitamin D promotes calcium absorption in the gut, 東京 café naïve; maintains ";
    private static final List<String> PASSAGES = List.of("", "short", WORDS, WORDS.repeat(3), WORDS.repeat(8) + "end");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-ce", "tiny-xlmr-ce", "tiny-deberta-v3-ce", "tiny-modernbert-ce"})
    void pairs_carry_the_ids_mask_types_and_cut_flag_of_hugging_face_encodings(String model) throws IOException {
        Path file = TestModels.resourceModel(model).resolve("tokenizer.json");
        try (TextTokenizer tokenizer = TextTokenizer.open(file, MAX_LENGTH)) {
            for (Truncation truncation : Truncation.values()) {
                String strategy = switch (truncation) {
                    case FAIL -> "false";
                    case PASSAGE_FIRST -> "only_second";
                    case LONGEST_FIRST -> "longest_first";
                };
                try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(file, Map.of("truncation",
                        strategy, "padding", "false", "maxLength", Integer.toString(MAX_LENGTH),
                        "modelMaxLength", Integer.toString(MAX_LENGTH)))) {
                    TextTokenizer.PairEncodings ours = tokenizer.encodePairs("what does vitamin D do?", PASSAGES, truncation);
                    assertThat(ours.inputs()).hasSameSizeAs(PASSAGES);
                    for (int i = 0; i < PASSAGES.size(); i++) {
                        Encoding expected = reference.encode("what does vitamin D do?", PASSAGES.get(i), true, false);
                        EncodedInput input = ours.inputs().get(i);
                        String what = model + " " + truncation + " passage " + i;
                        assertThat(input.inputIds()).as(what).containsExactly(expected.getIds());
                        assertThat(input.attentionMask()).as(what).containsExactly(expected.getAttentionMask());
                        assertThat(input.tokenTypeIds()).as(what).containsExactly(expected.getTypeIds());
                        boolean tooLong = truncation == Truncation.FAIL ? expected.getIds().length > MAX_LENGTH
                                : expected.exceedMaxLength();
                        assertThat(ours.truncated()[i]).as(what).isEqualTo(tooLong);
                    }
                    assertThat(ours.truncatedCount()).as(model + " " + truncation).isPositive(); // the cut is exercised
                }
            }
        }
    }

    @Test
    void token_ids_of_several_texts_are_those_of_each_text_alone() {
        Path file = TestModels.resourceModel("tiny-ce").resolve("tokenizer.json");
        try (TextTokenizer tokenizer = TextTokenizer.open(file, MAX_LENGTH)) {
            List<long[]> together = tokenizer.tokenIds(PASSAGES);
            for (int i = 0; i < PASSAGES.size(); i++) {
                assertThat(together.get(i)).as(Arrays.toString(together.get(i))).containsExactly(tokenizer.tokenIds(PASSAGES.get(i)));
            }
            assertThat(together.get(4)).hasSizeGreaterThan(MAX_LENGTH); // not truncated
        }
    }

    @Test
    void null_passage_is_refused_before_native_code() {
        Path file = TestModels.resourceModel("tiny-ce").resolve("tokenizer.json");
        try (TextTokenizer tokenizer = TextTokenizer.open(file, MAX_LENGTH)) {
            assertThatThrownBy(() -> tokenizer.encodePairs("q", Arrays.asList("a", null), Truncation.PASSAGE_FIRST))
                    .isInstanceOf(NullPointerException.class).hasMessage("passage");
            assertThatThrownBy(() -> tokenizer.tokenIds(Arrays.asList("a", null)))
                    .isInstanceOf(NullPointerException.class).hasMessage("text");
        }
    }
}
