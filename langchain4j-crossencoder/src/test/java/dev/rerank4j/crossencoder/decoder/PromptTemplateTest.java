package dev.rerank4j.crossencoder.decoder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptTemplateTest {

    @Test
    void ships_the_templates_of_the_published_model_cards() {
        PromptTemplate qwen = PromptTemplate.builtIn("qwen3-reranker");
        assertThat(qwen.positiveAnswer()).isEqualTo("yes");
        assertThat(qwen.negativeAnswer()).isEqualTo("no");
        assertThat(qwen.defaultInstruction())
                .contains("Given a web search query, retrieve relevant passages that answer the query");
        assertThat(qwen.maxLength()).isEqualTo(8192);
        assertThat(qwen.segments().get(0).text()).startsWith("<|im_start|>system\nJudge whether the Document");
        assertThat(qwen.segments().get(2).text()).isEqualTo("<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");

        PromptTemplate mxbai = PromptTemplate.builtIn("mxbai-rerank-v2");
        assertThat(mxbai.positiveAnswer()).isEqualTo("1");
        assertThat(mxbai.negativeAnswer()).isEqualTo("0");
        assertThat(mxbai.defaultInstruction()).isEmpty();
        assertThat(mxbai.segments().get(1).maxShare()).isEqualTo(0.75);
    }

    @Test
    void maps_model_types_to_their_rerankers_template() {
        assertThat(PromptTemplate.forModelType("qwen3")).map(PromptTemplate::name).contains("qwen3-reranker");
        assertThat(PromptTemplate.forModelType("qwen2")).map(PromptTemplate::name).contains("mxbai-rerank-v2");
        assertThat(PromptTemplate.forModelType("bert")).isEmpty();
    }

    @Test
    void inserts_the_callers_text_verbatim_even_when_it_looks_like_a_placeholder() {
        PromptTemplate qwen = PromptTemplate.builtIn("qwen3-reranker");
        String body = PromptTemplate.render(qwen.segments().get(1), "q {document} $1 \\", "d {query}", "i");
        assertThat(body).isEqualTo("<Instruct>: i\n<Query>: q {document} $1 \\\n<Document>: d {query}");
    }

    @Test
    void reads_a_template_file_given_by_the_user(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.json");
        Files.writeString(file, """
                {"name": "mine", "answer_tokens": {"positive": "yes", "negative": "no"},
                 "default_instruction": "Judge", "max_length": 512,
                 "segments": [{"text": "<|im_start|>user\\n"}, {"text": "{instruction} | {query} | {document}"},
                              {"text": "<|im_end|>"}]}""");
        PromptTemplate template = PromptTemplate.fromFile(file);
        assertThat(template.name()).isEqualTo("mine");
        assertThat(template.origin()).contains("mine.json");
        assertThat(template.segments()).hasSize(3);
    }

    @Test
    void refuses_templates_whose_truncation_would_cut_the_template_or_that_miss_a_placeholder() {
        assertThatThrownBy(() -> template("[{\"text\": \"D: {document} Q: {query}\"}]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t.json").hasMessageContaining("{document} must end its segment");
        assertThatThrownBy(() -> template("[{\"text\": \"D: {document}\"}]"))
                .hasMessageContaining("{query} and {document} must each appear exactly once");
        assertThatThrownBy(() -> template("[{\"text\": \"{instruction} {query}\"}, {\"text\": \"{document}\"}]"))
                .hasMessageContaining("default_instruction");
        assertThatThrownBy(() -> template("[{\"text\": \"{query}\", \"max_share\": 2}, {\"text\": \"{document}\"}]"))
                .hasMessageContaining("segments[0].max_share");
        assertThatThrownBy(() -> PromptTemplate.fromJson("{\"segments\": []}", "t.json"))
                .hasMessageContaining("answer_tokens.positive");
        assertThatThrownBy(() -> PromptTemplate.builtIn("llama-reranker"))
                .hasMessageContaining("qwen3-reranker").hasMessageContaining("mxbai-rerank-v2");
    }

    private static PromptTemplate template(String segments) {
        return PromptTemplate.fromJson("{\"answer_tokens\": {\"positive\": \"yes\", \"negative\": \"no\"}, "
                + "\"max_length\": 512, \"segments\": " + segments + "}", "t.json");
    }
}
