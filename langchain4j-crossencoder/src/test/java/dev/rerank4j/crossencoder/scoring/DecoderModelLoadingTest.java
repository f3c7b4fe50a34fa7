package dev.rerank4j.crossencoder.scoring;

import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.ProtoWire;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad or unsupported decoder exports fail at build time with a message naming what is missing. */
class DecoderModelLoadingTest {

    private static Path copyOf(String fixture, Path dir) {
        TestModels.copyTree(TestModels.decoderFixture(fixture), dir);
        return dir;
    }

    @Test
    void refuses_a_decoder_family_it_has_no_conventions_for(@TempDir Path dir) throws IOException {
        copyOf(DecoderRerankerTest.CAUSAL, dir);
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"model_type\": \"qwen3\"", "\"model_type\": \"llama\"")
                .replace("Qwen3ForCausalLM", "LlamaForCausalLM"));
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("LlamaForCausalLM").hasMessageContaining("qwen3")
                .hasMessageContaining("llm-rerankers.md");
    }

    @Test
    void names_a_malformed_prompt_template_in_the_model_directory(@TempDir Path dir) throws IOException {
        copyOf(DecoderRerankerTest.CAUSAL, dir);
        Files.writeString(dir.resolve(PromptTemplate.MODEL_FILE), "{\"answer_tokens\": {\"positive\": \"yes\"}}");
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(PromptTemplate.MODEL_FILE).hasMessageContaining("answer_tokens.negative");
    }

    @Test
    void names_an_input_it_cannot_feed(@TempDir Path dir) throws IOException {
        copyOf(DecoderRerankerTest.CAUSAL, dir);
        Path onnx = dir.resolve("onnx/model.onnx");
        Files.write(onnx, withExtraBoolInput(Files.readAllBytes(onnx), "use_cache_branch"));
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unsupported: [use_cache_branch]").hasMessageContaining("past_key_values");
    }

    @Test
    void refuses_an_output_that_is_neither_a_pair_logit_nor_vocabulary_logits() {
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture(DecoderRerankerTest.CAUSAL)).outputName("present.0.key")
                .build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("present.0.key").hasMessageContaining("[batch, sequence, vocab]");
    }

    @Test
    void prompt_options_on_an_encoder_are_a_mistake_named_as_such() {
        assertThatThrownBy(() -> CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                .instruction("Judge relevance").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decoder LLM rerankers").hasMessageContaining("bert");
    }

    /** The model with one more graph input (a bool [1]) appended to its graph. */
    private static byte[] withExtraBoolInput(byte[] model, String name) {
        ProtoWire.Writer shape = new ProtoWire.Writer().message(1, new ProtoWire.Writer().varint(1, 1));
        ProtoWire.Writer type = new ProtoWire.Writer().message(1, new ProtoWire.Writer().varint(1, 9).message(2, shape));
        ProtoWire.Writer input = new ProtoWire.Writer().string(1, name).message(2, type);
        ProtoWire.Writer out = new ProtoWire.Writer();
        for (ProtoWire.Field field : ProtoWire.fields(model, 0, model.length)) {
            if (field.number() == 7) {
                ProtoWire.Writer graph = new ProtoWire.Writer();
                field.message().forEach(graph::copy);
                graph.message(11, input);
                out.message(7, graph);
            } else {
                out.copy(field);
            }
        }
        return out.toByteArray();
    }
}
