package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A graph whose in-heap rewrite would not fit loads as exported, with the reason in the engine's description,
 * instead of failing with an OutOfMemoryError: a child JVM with a heap smaller than the rewrite's reserve loads the
 * tiny cross-encoder.
 */
class GraphRewriteHeapGuardTest {

    @Test
    void a_heap_too_small_for_the_rewrite_loads_the_graph_as_exported_and_says_why() throws Exception {
        Path model = TestModels.resourceModel("tiny-ce");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-Xmx48m", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), model.toString()))
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();

        String description = line(output, "description: ");
        assertThat(description).contains("attention fusion not applied: rewriting").contains("MiB of heap")
                .contains("raise -Xmx").doesNotContain("attention fused for");
        try (CrossEncoderScoringModel fused = CrossEncoderScoringModel.builder().modelDirectory(model)
                .engine(EngineKind.ONNX).build()) {
            assertThat(fused.engineDescription()).contains("attention fused for");
            assertThat(Double.parseDouble(line(output, "score: "))).as("the exported graph scores as the fused one")
                    .isCloseTo(fused.score("what is a cross-encoder?", "A cross-encoder reads both texts at once.")
                            .content(), within(1e-5));
        }
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError(output));
    }

    /** Loads the model in the small-heap JVM and prints what the parent checks. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder().modelDirectory(Path.of(args[0]))
                    .engine(EngineKind.ONNX).build()) {
                System.out.println("description: " + model.engineDescription());
                System.out.println("score: " + model.score("what is a cross-encoder?",
                        "A cross-encoder reads both texts at once.").content());
            }
        }
    }
}
