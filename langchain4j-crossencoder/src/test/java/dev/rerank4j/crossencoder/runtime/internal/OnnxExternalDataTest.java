package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.model.OnnxExternalData;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The external-data files a graph references are read from the graph, whatever their names. */
class OnnxExternalDataTest {

    @TempDir
    Path temp;

    @Test
    void finds_the_weights_file_an_optimum_export_references() {
        Path graph = TestModels.resourceModel("tiny-xlmr-optimum-ce").resolve("model.onnx");

        assertThat(OnnxExternalData.locations(graph)).containsExactly("tiny_xlmr_weights.bin");
    }

    @Test
    void a_graph_with_inline_weights_references_nothing() {
        assertThat(OnnxExternalData.locations(TestModels.resourceModel("tiny-ce").resolve("onnx/model.onnx"))).isEmpty();
    }

    @Test
    void a_file_that_is_not_onnx_is_named() throws IOException {
        Path junk = temp.resolve("model.onnx");
        Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});

        assertThatThrownBy(() -> OnnxExternalData.locations(junk))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(junk.toString());
    }
}
