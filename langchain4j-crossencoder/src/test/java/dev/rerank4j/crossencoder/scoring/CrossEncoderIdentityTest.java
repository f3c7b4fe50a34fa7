package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.testing.OnnxWeights;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity score caches key on changes with everything that changes the scores, for a model in the same
 * directory: the tokenizer, the weights.
 */
class CrossEncoderIdentityTest {

    private static final List<TextSegment> PASSAGE = List.of(TextSegment.from("Vitamin D Helps BONES"));

    private record Scored(String identity, double score) {
    }

    private static Scored load(Path dir) {
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder().modelDirectory(dir).build()) {
            return new Scored(model.modelIdentity(), model.scoreAll(PASSAGE, "Vitamin D").content().get(0));
        }
    }

    @Test
    void the_same_files_give_the_same_identity(@TempDir Path dir) {
        Path model = dir.resolve("m");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), model);

        assertThat(load(model)).isEqualTo(load(model));
    }

    @Test
    void an_edited_tokenizer_changes_the_identity(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("m");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), model);
        Scored original = load(model);

        Path tokenizer = model.resolve("tokenizer.json");
        String cased = Files.readString(tokenizer).replace("\"lowercase\": true", "\"lowercase\": false");
        assertThat(cased).isNotEqualTo(Files.readString(tokenizer));
        Files.writeString(tokenizer, cased);
        Scored edited = load(model);

        assertThat(edited.score()).as("the tokenizer changes the scores").isNotEqualTo(original.score());
        assertThat(edited.identity()).isNotEqualTo(original.identity());
    }

    @Test
    void fine_tuned_weights_change_the_identity(@TempDir Path dir) {
        Path model = dir.resolve("m");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), model);
        Scored original = load(model);

        Path onnx = model.resolve("onnx/model.onnx");
        assertThat(OnnxWeights.scaleFloatWeights(onnx, onnx, 1.01f)).isPositive();
        Scored tuned = load(model);

        assertThat(tuned.score()).isNotEqualTo(original.score());
        assertThat(tuned.identity()).isNotEqualTo(original.identity());
    }
}
