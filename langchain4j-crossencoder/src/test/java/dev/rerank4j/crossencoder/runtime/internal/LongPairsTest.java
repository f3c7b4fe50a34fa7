package dev.rerank4j.crossencoder.runtime.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Cutting both texts of a long pair ourselves gives what Hugging Face's longest_first gives, at linear cost. */
class LongPairsTest {

    private static final int MAX_LENGTH = 128;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-ce", "tiny-xlmr-ce", "tiny-deberta-v3-ce", "tiny-modernbert-ce"})
    void long_query_and_long_passage_are_cut_like_hugging_face_does(String model) throws IOException {
        Path file = TestModels.resourceModel(model).resolve("tokenizer.json");
        String words = "Vitamin D promotes calcium absorption in the gut, 東京 café naïve; maintains serum phosphate ";
        List<String> passages = List.of("short", words.repeat(2), words.repeat(5), words.repeat(9) + "end");
        try (TextTokenizer tokenizer = TextTokenizer.open(file, MAX_LENGTH);
             HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(file, Map.of("truncation", "longest_first",
                     "padding", "false", "maxLength", Integer.toString(MAX_LENGTH),
                     "modelMaxLength", Integer.toString(MAX_LENGTH)))) {
            for (String query : List.of(words.repeat(4), words.repeat(7), words.repeat(11))) {
                assertThat(tokenizer.tokenIds(query).length).isGreaterThan(MAX_LENGTH / 2);
                for (Truncation truncation : List.of(Truncation.LONGEST_FIRST, Truncation.PASSAGE_FIRST)) {
                    TextTokenizer.PairEncodings ours = tokenizer.encodePairs(query, passages, truncation);
                    for (int i = 0; i < passages.size(); i++) {
                        Encoding expected = reference.encode(query, passages.get(i), true, false);
                        boolean referenceApplies = truncation == Truncation.LONGEST_FIRST
                                || tokenizer.tokenIds(query).length >= MAX_LENGTH - tokenizer.pairSpecialTokens();
                        if (referenceApplies) {
                            assertThat(ours.inputs().get(i).inputIds()).as("%s %s passage %d", model, truncation, i)
                                    .containsExactly(expected.getIds());
                            assertThat(ours.inputs().get(i).tokenTypeIds()).containsExactly(expected.getTypeIds());
                            assertThat(ours.truncated()[i]).isEqualTo(expected.exceedMaxLength());
                        }
                        assertThat(ours.inputs().get(i).length()).isLessThanOrEqualTo(MAX_LENGTH);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 60, 61, 62, 63, 64, 120, 200})
    void kept_lengths_follow_the_tokenizers_rule(int first) {
        int budget = 125;
        for (int second : new int[] {0, 3, 62, 63, 64, 100, 300}) {
            int[] keep = LongPairs.longestFirst(first, second, budget);
            assertThat(keep[0] + keep[1]).isEqualTo(Math.min(first + second, budget));
            assertThat(keep[0]).isLessThanOrEqualTo(first);
            assertThat(keep[1]).isLessThanOrEqualTo(second);
            if (first + second > budget && Math.min(first, second) <= budget / 2) {
                assertThat(Math.min(keep[0], keep[1])).as("the shorter one is kept whole").isEqualTo(Math.min(first, second));
            }
        }
    }
}
