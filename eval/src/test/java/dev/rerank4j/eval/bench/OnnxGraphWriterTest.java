package dev.rerank4j.eval.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnnxGraphWriterTest {

    @TempDir
    Path temp;

    @Test
    void the_written_matmul_graph_multiplies_matrices_of_any_shape_in_onnx_runtime() throws Exception {
        Path file = temp.resolve("matmul.onnx");
        OnnxGraphWriter.writeMatMulModel(file);
        float[] a = {1, 2, 3, 4, 5, 6};          // 2 x 3
        float[] b = {1, 0, 0, 1, 2, -1};         // 3 x 2
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor ta = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {2, 3});
             OnnxTensor tb = OnnxTensor.createTensor(env, FloatBuffer.wrap(b), new long[] {3, 2});
             OrtSession.Result result = session.run(Map.of("a", ta, "b", tb))) {
            float[][] c = (float[][]) result.get("c").orElseThrow().getValue();
            assertThat(c[0]).containsExactly(new float[] {1 + 6, 2 - 3}, within(1e-6f));
            assertThat(c[1]).containsExactly(new float[] {4 + 12, 5 - 6}, within(1e-6f));
        }
    }

    @Test
    void a_cross_encoder_whose_onnx_inputs_are_unexpected_is_refused_naming_expected_and_found_inputs() {
        Path dir = temp.resolve("tiny-ce");
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), dir);
        OnnxGraphWriter.writeIdentityModel(dir.resolve("onnx/model.onnx"), "pixel_values");

        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).engine(EngineKind.ONNX).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("[pixel_values]").hasMessageContaining("input_ids")
                .hasMessageContaining("model.onnx");
    }
}
