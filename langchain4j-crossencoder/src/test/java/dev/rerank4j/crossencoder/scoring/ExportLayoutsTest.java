package dev.rerank4j.crossencoder.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Model files as the hub publishes them: where the graph is, what it outputs, where its weights are. */
class ExportLayoutsTest {

    @TempDir
    Path temp;

    private Path copy(String model) {
        Path dir = temp.resolve(model);
        TestModels.copyTree(TestModels.resourceModel(model), dir);
        return dir;
    }

    private static double goldenFirstLogit(Path dir) {
        return TestModels.readJson(dir.resolve("golden.json")).get("cases").get(0).get("logit").asDouble();
    }

    private static double scoreFirstCase(CrossEncoderScoringModel scorer, Path dir) {
        JsonNode first = TestModels.readJson(dir.resolve("golden.json")).get("cases").get(0);
        return scorer.scorePassages(first.get("query").asText(), List.of(first.get("passage").asText())).scores()[0];
    }

    @ParameterizedTest
    @ValueSource(strings = {"onnx/model_quantized.onnx", "onnx/model_qint8_avx512_vnni.onnx", "onnx/model_O4.onnx",
            "model.onnx"})
    void onnx_variants_are_chosen_with_onnx_file(String variant) throws IOException {
        Path dir = copy("tiny-xlmr-ce");
        Files.createDirectories(dir.resolve(variant).getParent());
        Files.move(dir.resolve("onnx/model.onnx"), dir.resolve(variant));

        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(dir)
                .onnxFile(variant).build()) {
            assertThat(scorer.modelFile()).isEqualTo(dir.resolve(variant));
            assertThat(scoreFirstCase(scorer, dir)).isCloseTo(goldenFirstLogit(dir), within(1e-4));
        }
    }

    @Test
    void a_missing_onnx_file_lists_the_ones_the_directory_has() throws IOException {
        Path dir = copy("tiny-xlmr-ce");
        Files.move(dir.resolve("onnx/model.onnx"), dir.resolve("onnx/model_quantized.onnx"));
        Files.delete(dir.resolve("model.pt"));

        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).onnxFile("onnx/model_O3.onnx").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model_O3.onnx").hasMessageContaining("[onnx/model_quantized.onnx]");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("[onnx/model_quantized.onnx]").hasMessageContaining("onnxFile");
    }

    @Test
    void optimum_export_at_the_root_with_named_external_data_loads_and_its_identity_covers_the_weights() throws IOException {
        Path dir = copy("tiny-xlmr-optimum-ce");
        String before;
        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(dir).build()) {
            assertThat(scorer.modelFile()).isEqualTo(dir.resolve("model.onnx"));
            assertThat(scorer.signature().output().toString()).isEqualTo("[batch, 1, 1]");
            before = scorer.modelIdentity();
        }
        try (RandomAccessFile weights = new RandomAccessFile(dir.resolve("tiny_xlmr_weights.bin").toFile(), "rw")) {
            weights.seek(100);
            weights.write(weights.read() ^ 1);
        }
        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(dir).build()) {
            assertThat(scorer.modelIdentity()).as("changed weights, changed identity").isNotEqualTo(before);
        }
    }

    @Test
    void missing_external_data_is_a_load_error_naming_the_graph() throws IOException {
        Path dir = copy("tiny-xlmr-optimum-ce");
        Files.delete(dir.resolve("tiny_xlmr_weights.bin"));

        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.onnx");
    }

    @Test
    void rank_1_logits_are_read_one_per_pair_in_input_order() throws IOException {
        Path dir = copy("tiny-ce");
        Files.copy(TestModels.resource("onnx-graphs/sum_of_ids.onnx"), dir.resolve("onnx/model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> passages = List.of("bone health", "a much longer passage about calcium and vitamin d", "x");
        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(dir)
                .engine(EngineKind.ONNX).build()) {
            assertThat(scorer.signature().output().toString()).isEqualTo("[batch]");
            double[] scores = scorer.scorePassages("vitamin d", passages).scores();

            for (int i = 0; i < passages.size(); i++) {
                EncodedInput input = scorer.tokenizer().encodePair("vitamin d", passages.get(i));
                assertThat(scores[i]).isEqualTo((double) java.util.Arrays.stream(input.inputIds()).sum());
            }
        }
    }

    @Test
    void token_states_output_is_refused_at_load_time_naming_the_shape() throws IOException {
        Path dir = copy("tiny-ce");
        Files.copy(TestModels.resource("onnx-graphs/token_states.onnx"), dir.resolve("onnx/model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).engine(EngineKind.ONNX).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("last_hidden_state").hasMessageContaining("[batch, sequence, 4]")
                .hasMessageContaining("[batch, 1, 1]");
    }

    @Test
    void id2label_that_disagrees_with_the_output_is_a_load_error() throws IOException {
        Path dir = copy("tiny-bert-2label-ce");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode config = (ObjectNode) mapper.readTree(dir.resolve("config.json").toFile());
        config.putObject("id2label").put("0", "a").put("1", "b").put("2", "c");
        mapper.writeValue(dir.resolve("config.json").toFile(), config);

        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("2 values per pair").hasMessageContaining("3 labels");
    }

    @Test
    void a_label_named_relevant_is_the_default() throws IOException {
        Path dir = copy("tiny-bert-2label-ce");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode config = (ObjectNode) mapper.readTree(dir.resolve("config.json").toFile());
        config.putObject("id2label").put("0", "relevant").put("1", "irrelevant");
        mapper.writeValue(dir.resolve("config.json").toFile(), config);
        JsonNode first = TestModels.readJson(dir.resolve("golden.json")).get("cases").get(0);

        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(dir).build()) {
            assertThat(scoreFirstCase(scorer, dir)).isCloseTo(first.get("logits").get(0).asDouble(), within(1e-4));
        }
    }
}
