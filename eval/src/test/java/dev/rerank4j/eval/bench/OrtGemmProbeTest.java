package dev.rerank4j.eval.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OrtGemmProbeTest {

    @TempDir
    Path temp;

    @Test
    void the_probe_graph_multiplies_matrices_of_any_shape_in_onnx_runtime() throws Exception {
        Path file = temp.resolve("matmul.onnx");
        OrtGemmProbe.writeMatMulModel(file);
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
    void measures_both_thread_shapes() {
        OrtGemmProbe.Result result = OrtGemmProbe.measure(64, 32, 16, 1);

        assertThat(result.oneRunAllCores()).isPositive().isFinite();
        assertThat(result.oneRunPerCore()).isPositive().isFinite();
        assertThat(result.best()).isEqualTo(Math.max(result.oneRunAllCores(), result.oneRunPerCore()));
    }
}
