package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.OnnxModelWriter;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load-time attention fusion: same scores as the original graph, padded batches or not; what it leaves alone. */
class AttentionFusionTest {

    // lengths chosen so that batches mix: rows alone, equal-length rows together, and padded batches
    private static final List<String> PASSAGES = List.of(
            "Calcium is absorbed in the small intestine.",
            "Vitamin D increases calcium absorption in the gut and helps bone mineralisation in children.",
            "Bone.",
            "Calcium is absorbed in the small intestine.",
            "Osteoporosis is a disease in which bone density decreases, raising the risk of fractures. "
                    .repeat(4),
            "Iron deficiency is the most common nutritional deficiency worldwide.",
            "Bones.",
            "Calcium");

    private static CrossEncoderScoringModel.Builder builder(Path model, boolean fused, double maxPaddingRatio) {
        return CrossEncoderScoringModel.builder().modelDirectory(model).attentionFusion(fused)
                .maxPaddingRatio(maxPaddingRatio).maxConcurrentRuns(1).intraOpThreads(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-ce", "tiny-bert-2label-ce", "tiny-xlmr-ce", "tiny-xlmr-optimum-ce"})
    void fused_graph_scores_every_batch_as_the_original_does(String name) {
        Path model = TestModels.resourceModel(name);
        int layers = TestModels.readJson(model.resolve("config.json")).get("num_hidden_layers").asInt();
        // padding ratio 1: one padded batch; 0: rows of equal length only, all unpadded (the fused path)
        for (double ratio : new double[] {1.0, 0.0}) {
            try (CrossEncoderScoringModel original = builder(model, false, ratio).build();
                 CrossEncoderScoringModel fused = builder(model, true, ratio).build()) {
                assertThat(original.engineDescription()).doesNotContain("attention");
                assertThat(fused.engineDescription())
                        .contains("attention fused for unpadded batches in " + layers + " of " + layers + " blocks");

                double[] expected = original.scorePassages("how is calcium absorbed?", PASSAGES).scores();
                double[] actual = fused.scorePassages("how is calcium absorbed?", PASSAGES).scores();

                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(Math.abs(actual[i] - expected[i])).as("passage %d, padding ratio %s", i, ratio)
                            .isLessThan(1e-4);
                }
            }
        }
    }

    @Test
    void unpadded_only_graph_drops_the_mask_scores_as_the_original_and_refuses_a_padded_batch() {
        Path model = TestModels.resourceModel("tiny-ce");
        List<EncodedInput> rows = List.of(EncodedInput.of(new long[] {101, 2054, 2003, 102, 7592, 102}),
                EncodedInput.of(new long[] {101, 2129, 102, 2080, 102}));
        EngineOptions options = new EngineOptions(EngineKind.ONNX, Device.cpu(), 1, null, null, 1);
        try (InferenceEngine original = InferenceEngines.open(ModelDirectory.of(model),
                     options.withAttentionFusion(AttentionFusion.Mode.OFF));
             InferenceEngine fused = InferenceEngines.open(ModelDirectory.of(model),
                     options.withAttentionFusion(AttentionFusion.Mode.UNPADDED_BATCHES))) {
            assertThat(fused.fusedAttention()).isTrue();
            assertThat(fused.description()).contains("padding mask dropped");
            for (EncodedInput row : rows) {
                float expected = original.run(TokenBatch.of(List.of(row))).data()[0];
                float actual = fused.run(TokenBatch.of(List.of(row))).data()[0];
                assertThat(Math.abs(actual - expected)).isLessThan(1e-4f);
            }
            assertThatThrownBy(() -> fused.run(TokenBatch.of(rows)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("padded batch");
        }
    }

    @Test
    void unpadded_batch_runs_the_fused_kernel_and_padded_batch_the_original_operators() throws Exception {
        Path onnx = TestModels.resourceModel("tiny-ce").resolve("onnx");
        AttentionFusion.Fused fused = (AttentionFusion.Fused) AttentionFusion.apply(
                Files.readAllBytes(onnx.resolve("model.onnx")));
        long[][] unpadded = {{101, 2054, 2003, 102, 7592, 102}, {101, 2129, 2116, 102, 2080, 102}};
        long[][] padded = {{101, 2054, 2003, 102, 7592, 102}, {101, 2129, 102, 2080, 102, 0}};

        String fusedRun = profiledOperators(fused.model(), onnx, unpadded);
        String maskedRun = profiledOperators(fused.model(), onnx, padded);

        assertThat(fusedRun).contains("\"op_name\":\"MultiHeadAttention\"").doesNotContain("\"op_name\":\"Softmax\"");
        assertThat(maskedRun).contains("\"op_name\":\"Softmax\"").doesNotContain("\"op_name\":\"MultiHeadAttention\"");
    }

    /** The operators ONNX Runtime's profiler saw in one run of {@code model} on {@code ids} (mask: ids != 0). */
    private static String profiledOperators(byte[] model, Path folder, long[][] ids) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int rows = ids.length;
        int width = ids[0].length;
        long[] flatIds = new long[rows * width];
        long[] mask = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                flatIds[r * width + c] = ids[r][c];
                mask[r * width + c] = ids[r][c] == 0 ? 0 : 1;
            }
        }
        Path profile = Files.createTempDirectory("rerank4j-profile").resolve("run");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addConfigEntry("session.model_external_initializers_file_folder_path", folder.toString());
            options.enableProfiling(profile.toString());
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(flatIds), new long[] {rows, width});
                 OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {rows, width});
                 OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[rows * width]),
                         new long[] {rows, width})) {
                session.run(Map.of("input_ids", idTensor, "attention_mask", maskTensor, "token_type_ids", types))
                        .close();
                return Files.readString(Path.of(session.endProfiling())).replaceAll("\\s+", "");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"onnx/model.onnx", "onnx/model_qint8.onnx"})
    void reference_model_fuses_every_layer_fp32_and_int8(String file) throws Exception {
        Path model = TestModels.requireShared("models/minilm-l6-ce");
        int layers = TestModels.readJson(model.resolve("config.json")).get("num_hidden_layers").asInt();
        AttentionFusion.Outcome outcome = AttentionFusion.apply(Files.readAllBytes(model.resolve(file)));

        assertThat(outcome).isInstanceOf(AttentionFusion.Fused.class);
        AttentionFusion.Fused fused = (AttentionFusion.Fused) outcome;
        assertThat(fused.fused()).isEqualTo(layers);
        assertThat(fused.attentions()).isEqualTo(layers);
        assertThat(fused.firstMiss()).isNull();
    }

    @Test
    void scale_written_as_constant_times_scores_fuses_and_scores_as_the_original(@TempDir Path dir) throws Exception {
        assertRewrittenCopyFusesInEveryBlockAndScoresAsExported(dir.resolve("tiny-ce-mul-scale"),
                AttentionFusionTest::scaleAsConstantTimesScores);
    }

    @Test
    void query_and_key_each_scaled_by_the_root_of_the_scale_as_sdpa_exports_fuse_and_score_as_the_original(
            @TempDir Path dir) throws Exception {
        assertRewrittenCopyFusesInEveryBlockAndScoresAsExported(dir.resolve("tiny-ce-sdpa-scale"),
                AttentionFusionTest::scaleSplitOverQueryAndKey);
    }

    /**
     * A copy of tiny-ce (two blocks) whose graph {@code rewrite} respells: as exported it scores as the original (the
     * rewrite is faithful), and loaded with the fusion every block fuses and it still scores as the original.
     */
    private static void assertRewrittenCopyFusesInEveryBlockAndScoresAsExported(
            Path variant, java.util.function.UnaryOperator<byte[]> rewrite) throws Exception {
        Path original = TestModels.resourceModel("tiny-ce");
        TestModels.copyTree(original, variant);
        Path onnx = variant.resolve("onnx/model.onnx");
        Files.write(onnx, rewrite.apply(Files.readAllBytes(onnx)));

        try (CrossEncoderScoringModel exported = builder(original, false, 0).build();
             CrossEncoderScoringModel respelt = builder(variant, false, 0).build();
             CrossEncoderScoringModel fused = builder(variant, true, 0).build()) {
            assertThat(fused.engineDescription()).contains("attention fused for unpadded batches in 2 of 2 blocks");
            double[] expected = exported.scorePassages("how is calcium absorbed?", PASSAGES).scores();
            double[] rewritten = respelt.scorePassages("how is calcium absorbed?", PASSAGES).scores();
            double[] actual = fused.scorePassages("how is calcium absorbed?", PASSAGES).scores();
            for (int i = 0; i < expected.length; i++) {
                assertThat(Math.abs(rewritten[i] - expected[i])).as("the rewrite itself, passage %d", i).isLessThan(1e-4);
                assertThat(Math.abs(actual[i] - expected[i])).as("passage %d", i).isLessThan(1e-4);
            }
        }
    }

    /** Each block's {@code Div(scores, c)} rewritten as {@code Mul(1/c, scores)}: the constant first, as some exports write it. */
    private static byte[] scaleAsConstantTimesScores(byte[] model) {
        return respellScaledScores(model, scores -> {
            OnnxProto.Node node = scores.div();
            String constant = node.name() + "/inverse_scale";
            return new Respelling(Map.of(node.field(), List.of(new ProtoWire.Writer().string(OnnxProto.NODE_INPUT, constant)
                    .string(OnnxProto.NODE_INPUT, node.inputs().get(0)).string(OnnxProto.NODE_OUTPUT, node.outputs().get(0))
                    .string(OnnxProto.NODE_NAME, node.name() + "_as_mul").string(OnnxProto.NODE_OP_TYPE, "Mul"))),
                    OnnxProto.floatTensor(constant, new long[0], new float[] {1 / scores.divisor()}));
        });
    }

    /**
     * Each block's {@code Div(MatMul(Q, Kᵀ), c)} rewritten as PyTorch's export of {@code scaled_dot_product_attention}
     * spells it: {@code MatMul(Mul(Q, √(1/c)), Mul(Kᵀ, √(1/c)))}, the scale split over both operands.
     */
    private static byte[] scaleSplitOverQueryAndKey(byte[] model) {
        return respellScaledScores(model, scores -> {
            OnnxProto.Node node = scores.div();
            String root = node.name() + "/sqrt_scale";
            String query = scores.matMul().inputs().get(0);
            String keyTransposed = scores.matMul().inputs().get(1);
            // the two Muls where the MatMul was (their inputs exist by then), the MatMul where the Div was
            return new Respelling(Map.of(
                    scores.matMul().field(), List.of(mul(query, root, query + "/scaled", node.name() + "_q"),
                            mul(keyTransposed, root, keyTransposed + "/scaled", node.name() + "_k")),
                    node.field(), List.of(new ProtoWire.Writer().string(OnnxProto.NODE_INPUT, query + "/scaled")
                            .string(OnnxProto.NODE_INPUT, keyTransposed + "/scaled")
                            .string(OnnxProto.NODE_OUTPUT, node.outputs().get(0))
                            .string(OnnxProto.NODE_NAME, node.name() + "_scaled_matmul")
                            .string(OnnxProto.NODE_OP_TYPE, "MatMul"))),
                    OnnxProto.floatTensor(root, new long[0], new float[] {(float) Math.sqrt(1 / scores.divisor())}));
        });
    }

    /** An exported block's {@code Div(MatMul(Q, Kᵀ), divisor)}. */
    private record ScaledScores(OnnxProto.Node div, OnnxProto.Node matMul, float divisor) {
    }

    /** What takes a block's place: nodes by the graph field they replace, and the one constant they read. */
    private record Respelling(Map<Integer, List<ProtoWire.Writer>> nodes, ProtoWire.Writer constant) {
    }

    /**
     * The model with each of tiny-ce's two blocks' scaled scores respelt; nodes are replaced in place, so the order
     * stays topological.
     */
    private static byte[] respellScaledScores(byte[] model, java.util.function.Function<ScaledScores, Respelling> respell) {
        OnnxProto.Model parsed = OnnxProto.Model.parse(model);
        OnnxProto.Graph graph = OnnxProto.Graph.parse(parsed.graph());
        Map<Integer, List<ProtoWire.Writer>> replaced = new java.util.HashMap<>();
        List<ProtoWire.Writer> constants = new java.util.ArrayList<>();
        int nodesReplaced = 0;
        for (OnnxProto.Node node : graph.nodes()) {
            OnnxProto.Node producer = node.inputs().isEmpty() ? null : graph.producers().get(node.inputs().get(0));
            if (node.is("Div") && producer != null && producer.is("MatMul")) {
                float divisor = OnnxProto.floats(graph.constant(node.inputs().get(1)).orElseThrow()).orElseThrow()[0];
                Respelling respelling = respell.apply(new ScaledScores(node, producer, divisor));
                replaced.putAll(respelling.nodes());
                constants.add(respelling.constant());
                nodesReplaced += respelling.nodes().size();
            }
        }
        assertThat(constants).as("attention scales rewritten").hasSize(2);
        assertThat(replaced).as("no node replaced twice").hasSize(nodesReplaced);
        ProtoWire.Writer rewritten = new ProtoWire.Writer();
        for (int i = 0; i < graph.fields().size(); i++) {
            if (replaced.containsKey(i)) {
                replaced.get(i).forEach(node -> rewritten.message(OnnxProto.GRAPH_NODE, node));
            } else {
                rewritten.copy(graph.fields().get(i));
            }
        }
        constants.forEach(constant -> rewritten.message(OnnxProto.GRAPH_INITIALIZER, constant));
        return parsed.with(rewritten);
    }

    private static ProtoWire.Writer mul(String input, String constant, String output, String name) {
        return new ProtoWire.Writer().string(OnnxProto.NODE_INPUT, input).string(OnnxProto.NODE_INPUT, constant)
                .string(OnnxProto.NODE_OUTPUT, output).string(OnnxProto.NODE_NAME, name).string(OnnxProto.NODE_OP_TYPE, "Mul");
    }

    @Test
    void decoder_rerankers_are_not_fused() {
        try (CrossEncoderScoringModel decoder = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture("tiny-qwen3-reranker-seq-cls")).build()) {
            assertThat(decoder.engineDescription()).doesNotContain("attention fused");
        }
    }

    @Test
    void graph_without_attention_is_left_as_it_is_with_a_reason() {
        byte[] identity = OnnxModelWriter.identityModel("attention_mask", "logits", 3);

        AttentionFusion.Outcome outcome = AttentionFusion.apply(identity);

        assertThat(outcome).isInstanceOf(AttentionFusion.NotFused.class);
        assertThat(((AttentionFusion.NotFused) outcome).reason()).contains("no Softmax");
    }

    @Test
    void graph_without_an_attention_mask_input_is_left_as_it_is() {
        byte[] identity = OnnxModelWriter.identityModel("x", "logits", 3);

        assertThat(AttentionFusion.apply(identity)).isEqualTo(new AttentionFusion.NotFused(
                "the graph has no attention_mask input"));
    }
}
