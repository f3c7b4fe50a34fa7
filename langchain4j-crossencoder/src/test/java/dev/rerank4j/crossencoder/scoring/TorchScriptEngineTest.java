package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The PyTorch engine scores like ONNX Runtime on the same weights, including padded batches. */
class TorchScriptEngineTest {

    @Test
    void pytorch_and_onnx_agree_on_a_padded_batch() {
        List<TextSegment> passages = List.of(TextSegment.from("short"),
                TextSegment.from("a much longer passage that forces padding of the shorter rows in the batch"),
                TextSegment.from("medium sized passage"));
        try (var onnx = CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                .engine(EngineKind.ONNX).build();
             var torch = CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                     .engine(EngineKind.PYTORCH).build()) {
            List<Double> a = onnx.scoreAll(passages, "query").content();
            List<Double> b = torch.scoreAll(passages, "query").content();

            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i)).isCloseTo(a.get(i), within(1e-4));
            }
            assertThat(torch.engineDescription()).contains("pytorch");
        }
    }
}
