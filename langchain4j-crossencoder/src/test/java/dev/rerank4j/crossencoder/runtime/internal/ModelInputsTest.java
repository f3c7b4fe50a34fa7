package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine feeds exactly the inputs the graph declares, position_ids included, numbered as the family does. */
class ModelInputsTest {

    private static final Path POSITION_GRAPH = TestModels.resource("onnx-graphs/position_ids.onnx");

    @Test
    void position_ids_are_fed_when_the_graph_declares_them() {
        BatchSpec roberta = new BatchSpec(1, BatchSpec.PaddingSide.RIGHT, PositionIds.offsetPastPadding(1));
        try (OnnxRuntimeEngine engine = OnnxRuntimeEngine.open(POSITION_GRAPH, Device.cpu(), 1, null,
                ModelFamily.ROBERTA, roberta)) {
            assertThat(engine.signature().inputs())
                    .containsExactly(ModelInput.INPUT_IDS, ModelInput.ATTENTION_MASK, ModelInput.POSITION_IDS);
            assertThat(engine.signature().output().toString()).isEqualTo("[batch, sequence]");

            OutputTensor out = engine.run(TokenBatch.of(List.of(EncodedInput.of(new long[] {0, 5, 6, 2}),
                    EncodedInput.of(new long[] {0, 2})), engine.signature().batch()));

            assertThat(out.data()).containsExactly(2, 3, 4, 5, 2, 3, 1, 1);
        }
    }

    @Test
    void sequential_positions_for_bert_conventions() {
        try (OnnxRuntimeEngine engine = OnnxRuntimeEngine.open(POSITION_GRAPH, Device.cpu(), 1, null)) {
            OutputTensor out = engine.run(TokenBatch.of(List.of(EncodedInput.of(new long[] {101, 7, 102}))));

            assertThat(out.data()).containsExactly(0, 1, 2);
        }
    }
}
