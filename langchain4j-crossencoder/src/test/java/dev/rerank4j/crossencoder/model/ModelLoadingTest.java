package dev.rerank4j.crossencoder.model;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.OnnxModelWriter;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A broken or incomplete model directory fails with a message that names the file and the directory. */
class ModelLoadingTest {

    @TempDir
    Path temp;

    private Path copyOfTinyModel() {
        Path dir = temp.resolve("tiny-ce");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), dir);
        return dir;
    }

    private static CrossEncoderScoringModel.Builder builder(Path dir) {
        return CrossEncoderScoringModel.builder().modelDirectory(dir);
    }

    @Test
    void missing_directory_is_named() {
        Path missing = temp.resolve("nope");
        assertThatThrownBy(() -> builder(missing).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void missing_tokenizer_names_the_file_and_directory() throws IOException {
        Path dir = copyOfTinyModel();
        Files.delete(dir.resolve("tokenizer.json"));

        assertThatThrownBy(() -> builder(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining(dir.toString());
    }

    @Test
    void missing_model_file_names_what_was_expected() throws IOException {
        Path dir = copyOfTinyModel();
        Files.delete(dir.resolve("onnx/model.onnx"));
        Files.delete(dir.resolve("model.pt"));

        assertThatThrownBy(() -> builder(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model.onnx").hasMessageContaining("model.pt").hasMessageContaining(dir.toString());
    }

    @Test
    void asking_for_an_engine_whose_file_is_absent_names_the_file() throws IOException {
        Path dir = copyOfTinyModel();
        Files.delete(dir.resolve("model.pt"));

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.PYTORCH).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.pt").hasMessageContaining(dir.toString());
    }

    @Test
    void auto_engine_uses_torchscript_when_there_is_no_onnx_file() throws IOException {
        Path dir = copyOfTinyModel();
        Files.delete(dir.resolve("onnx/model.onnx"));

        try (CrossEncoderScoringModel model = builder(dir).build()) {
            assertThat(model.engineDescription()).contains("pytorch");
            assertThat(model.modelFile().getFileName().toString()).isEqualTo("model.pt");
        }
    }

    @Test
    void onnx_model_with_unexpected_inputs_names_expected_and_found_inputs() {
        Path dir = copyOfTinyModel();
        OnnxModelWriter.writeIdentityModel(dir.resolve("onnx/model.onnx"), "pixel_values");

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.ONNX).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("[pixel_values]").hasMessageContaining("input_ids")
                .hasMessageContaining("model.onnx");
    }

    @Test
    void corrupt_onnx_file_gives_a_clear_error() throws IOException {
        Path dir = copyOfTinyModel();
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        Files.write(dir.resolve("onnx/model.onnx"), garbage);

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.ONNX).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.onnx");
    }

    @Test
    void truncated_onnx_file_gives_a_clear_error() throws IOException {
        Path dir = copyOfTinyModel();
        Path file = dir.resolve("onnx/model.onnx");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 3));

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.ONNX).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.onnx");
    }

    @Test
    void corrupt_torchscript_file_gives_a_clear_error() throws IOException {
        Path dir = copyOfTinyModel();
        Files.writeString(dir.resolve("model.pt"), "this is not a TorchScript archive");

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.PYTORCH).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.pt");
    }

    @Test
    void corrupt_config_names_the_file() throws IOException {
        Path dir = copyOfTinyModel();
        Files.writeString(dir.resolve("config.json"), "{ not json");

        assertThatThrownBy(() -> builder(dir).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("config.json");
    }

    @Test
    void cuda_without_a_gpu_runtime_is_a_clear_error_on_both_engines() {
        Path dir = TestModels.resourceModel("tiny-ce");
        org.junit.jupiter.api.Assumptions.assumeFalse(
                ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
                "this machine has a CUDA build of ONNX Runtime");

        assertThatThrownBy(() -> builder(dir).engine(EngineKind.ONNX).device(Device.cuda()).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("cuda:0").hasMessageContaining("CUDA");
        assertThatThrownBy(() -> builder(dir).engine(EngineKind.PYTORCH).device(Device.cuda()).build())
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("cuda:0").hasMessageContaining("GPU");
    }

    @Test
    void device_parsing_accepts_cpu_and_cuda_and_names_bad_values() {
        assertThat(Device.parse("cpu")).isEqualTo(Device.cpu());
        assertThat(Device.parse("cuda:1")).isEqualTo(Device.cuda(1));
        assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("tpu");
    }
}
