package dev.rerank4j.crossencoder.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.rerank4j.crossencoder.testing.OnnxModelWriter;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The load-time graph cut, run on ONNX Runtime against the uncut graph of the causal-LM fixture. */
class LastTokenLogitsCutTest {

    private static final Path ONNX = TestModels.resourceModel("tiny-qwen3-reranker-causal").resolve("onnx");
    private static final int VOCAB = 151_936;

    @Test
    void gives_each_rows_last_token_logits_of_the_uncut_graph_and_nothing_else() throws Exception {
        byte[] original = Files.readAllBytes(ONNX.resolve("model.onnx"));
        LastTokenLogitsCut.Outcome outcome = LastTokenLogitsCut.apply(original, "logits");
        assertThat(outcome).isInstanceOf(LastTokenLogitsCut.Cut.class);
        LastTokenLogitsCut.Cut cut = (LastTokenLogitsCut.Cut) outcome;
        assertThat(cut.projection()).isEqualTo("MatMul");

        // two right-padded rows of different lengths: the last real tokens are at 5 and 2
        long[][] rows = {{151644, 8948, 198, 60256, 3425, 279}, {151644, 872, 198}};
        int width = 6;
        long[] ids = new long[2 * width];
        long[] mask = new long[2 * width];
        long[] positions = new long[2 * width];
        java.util.Arrays.fill(ids, 151643);
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < width; c++) {
                boolean real = c < rows[r].length;
                ids[r * width + c] = real ? rows[r][c] : 151643;
                mask[r * width + c] = real ? 1 : 0;
                positions[r * width + c] = real ? c : 1;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] full;
        float[] last;
        long[] cutShape;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addConfigEntry("session.model_external_initializers_file_folder_path", ONNX.toString());
            try (OrtSession uncut = env.createSession(ONNX.resolve("model.onnx").toString());
                 OrtSession cutSession = env.createSession(cut.model(), options)) {
                assertThat(cutSession.getOutputNames()).containsExactly("logits");
                assertThat(cutSession.getInputNames()).contains(LastTokenLogitsCut.INDEX_INPUT);
                full = run(env, uncut, ids, mask, positions, width, null);
                last = run(env, cutSession, ids, mask, positions, width, new long[] {5, 2});
                try (OrtSession.Result r = cutSession.run(feeds(env, cutSession, ids, mask, positions, width,
                        new long[] {5, 2}), Set.of("logits"))) {
                    cutShape = ((OnnxTensor) r.get(0)).getInfo().getShape();
                }
            }
        }
        assertThat(cutShape).containsExactly(2, 1, VOCAB);
        float worst = 0;
        int[] lastIndex = {5, 2};
        for (int r = 0; r < 2; r++) {
            for (int v = 0; v < VOCAB; v++) {
                worst = Math.max(worst, Math.abs(full[(r * width + lastIndex[r]) * VOCAB + v] - last[r * VOCAB + v]));
            }
        }
        assertThat(worst).isLessThan(1e-4f);
    }

    @Test
    void leaves_a_graph_whose_output_is_not_a_projection_of_token_states() {
        byte[] identity = OnnxModelWriter.identityModel("x", "logits", 3);
        assertThat(LastTokenLogitsCut.apply(identity, "logits"))
                .isInstanceOfSatisfying(LastTokenLogitsCut.NotCut.class,
                        n -> assertThat(n.reason()).contains("Identity"));
        assertThat(LastTokenLogitsCut.apply(identity, "scores"))
                .isInstanceOfSatisfying(LastTokenLogitsCut.NotCut.class,
                        n -> assertThat(n.reason()).contains("no output 'scores'"));
    }

    @Test
    void leaves_a_sequence_classification_graph_alone() throws Exception {
        byte[] seqCls = Files.readAllBytes(TestModels.resourceModel("tiny-qwen3-reranker-seq-cls")
                .resolve("onnx/model.onnx"));
        assertThat(LastTokenLogitsCut.apply(seqCls, "logits"))
                .isInstanceOfSatisfying(LastTokenLogitsCut.NotCut.class,
                        n -> assertThat(n.reason()).contains("rank 2"));
    }

    private static float[] run(OrtEnvironment env, OrtSession session, long[] ids, long[] mask, long[] positions,
                               int width, long[] lastIndex) throws Exception {
        try (OrtSession.Result result = session.run(feeds(env, session, ids, mask, positions, width, lastIndex),
                Set.of("logits"))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }
    }

    private static Map<String, OnnxTensor> feeds(OrtEnvironment env, OrtSession session, long[] ids, long[] mask,
                                                 long[] positions, int width, long[] lastIndex) throws Exception {
        long[] shape = {ids.length / width, width};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        feeds.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
        feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
        feeds.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
        for (String name : session.getInputNames()) {
            if (name.startsWith("past_key_values")) {
                feeds.put(name, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {shape[0], 2, 0, 8}));
            }
        }
        if (lastIndex != null) {
            feeds.put(LastTokenLogitsCut.INDEX_INPUT, OnnxTensor.createTensor(env, LongBuffer.wrap(lastIndex),
                    new long[] {shape[0], 1, 1}));
        }
        return feeds;
    }
}
