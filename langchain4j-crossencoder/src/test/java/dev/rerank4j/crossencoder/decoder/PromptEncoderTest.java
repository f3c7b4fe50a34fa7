package dev.rerank4j.crossencoder.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Prompt token ids against golden.json, whose ids come from a Python reference that builds each family's prompt
 * from its model card (src/test/fixtures/decoder/prompts.py) and tokenises it with its own reading of
 * tokenizer.json (qwen_bpe.py), independently of this code and of DJL.
 */
class PromptEncoderTest {

    private static final Path CAUSAL = TestModels.decoderFixture("tiny-qwen3-reranker-causal");
    // One instance for all tests: loading the 11 MB tokenizer.json costs seconds; its maxLength is not used by
    // PromptEncoder, which takes its own.
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void openTokenizer() {
        tokenizer = TextTokenizer.open(CAUSAL.resolve("tokenizer.json"), 8192);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void builds_the_model_cards_prompts_token_for_token() {
        JsonNode templates = TestModels.readJson(CAUSAL.resolve("golden.json")).get("templates");
        int checked = 0;
        for (String name : List.of("qwen3-reranker", "mxbai-rerank-v2")) {
            PromptTemplate template = PromptTemplate.builtIn(name);
            for (JsonNode c : templates.get(name)) {
                int maxLength = c.get("max_length").asInt();
                PromptEncoder encoder = PromptEncoder.create(template, tokenizer, maxLength, text(c, "instruction"));
                TextTokenizer.PairEncodings prompts = encoder.encode(c.get("query").asText(),
                        List.of(c.get("document").asText()));
                assertThat(prompts.inputs().get(0).inputIds())
                        .as("%s / %s", name, c.get("name").asText())
                        .containsExactly(ids(c.get("input_ids")));
                assertThat(prompts.truncated()[0]).as("truncated flag of %s", c.get("name").asText())
                        .isEqualTo(c.get("name").asText().startsWith("long document"));
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
    }

    @Test
    void cuts_an_over_long_document_inside_the_template_and_keeps_instruction_and_query() {
        PromptTemplate template = PromptTemplate.builtIn("qwen3-reranker");
        PromptEncoder encoder = PromptEncoder.create(template, tokenizer, 96, "Find the answer");
        String document = "word ".repeat(5000);
        EncodedInput input = encoder.encode("where is it", List.of(document)).inputs().get(0);

        long[] full = tokenizer.tokenIds(PromptTemplate.render(template.segments().get(1), "where is it",
                document, "Find the answer"));
        long[] prefix = tokenizer.tokenIds(template.segments().get(0).text());
        long[] suffix = tokenizer.tokenIds(template.segments().get(2).text());
        assertThat(input.length()).isEqualTo(96);
        assertThat(slice(input.inputIds(), 0, prefix.length)).containsExactly(prefix);
        assertThat(slice(input.inputIds(), 96 - suffix.length, 96)).containsExactly(suffix);
        // the body is the start of instruction + query + document: only the document's tail is gone
        assertThat(slice(input.inputIds(), prefix.length, 96 - suffix.length))
                .containsExactly(slice(full, 0, 96 - prefix.length - suffix.length));
        long[] head = tokenizer.tokenIds("<Instruct>: Find the answer\n<Query>: where is it\n<Document>:");
        assertThat(slice(input.inputIds(), prefix.length, prefix.length + head.length)).containsExactly(head);
    }

    @Test
    void caps_the_mxbai_query_at_three_quarters_and_gives_the_rest_to_the_document() {
        PromptTemplate template = PromptTemplate.builtIn("mxbai-rerank-v2");
        PromptEncoder encoder = PromptEncoder.create(template, tokenizer, 200, null);
        int fixed = 0;
        for (PromptTemplate.Segment segment : template.segments()) {
            fixed += segment.fixed() ? tokenizer.tokenIds(segment.text()).length : 0;
        }
        int budget = 200 - fixed;
        EncodedInput input = encoder.encode("q ".repeat(1000), List.of("d ".repeat(1000))).inputs().get(0);
        long[] prefix = tokenizer.tokenIds(template.segments().get(0).text());
        long[] query = tokenizer.tokenIds("query: " + "q ".repeat(1000));
        int queryCap = budget * 3 / 4;
        assertThat(input.length()).isEqualTo(200);
        assertThat(slice(input.inputIds(), prefix.length, prefix.length + queryCap))
                .containsExactly(slice(query, 0, queryCap));
    }

    @Test
    void uses_the_instruction_line_of_mxbai_only_when_an_instruction_is_given() {
        PromptTemplate template = PromptTemplate.builtIn("mxbai-rerank-v2");
        long[] none = PromptEncoder.create(template, tokenizer, 512, null).encode("q", List.of("d"))
                .inputs().get(0).inputIds();
        long[] empty = PromptEncoder.create(template, tokenizer, 512, "").encode("q", List.of("d"))
                .inputs().get(0).inputIds();
        long[] given = PromptEncoder.create(template, tokenizer, 512, "be strict").encode("q", List.of("d"))
                .inputs().get(0).inputIds();
        assertThat(empty).containsExactly(none);
        assertThat(given.length).isGreaterThan(none.length);
    }

    @Test
    void looks_the_answer_tokens_up_in_the_tokenizer() {
        JsonNode golden = TestModels.readJson(CAUSAL.resolve("golden.json"));
        PromptEncoder qwen = PromptEncoder.create(PromptTemplate.builtIn("qwen3-reranker"), tokenizer, 512, null);
        PromptEncoder mxbai = PromptEncoder.create(PromptTemplate.builtIn("mxbai-rerank-v2"), tokenizer, 512, null);
        assertThat(qwen.positiveTokenId()).isEqualTo(golden.get("positive_token_id").asLong());
        assertThat(qwen.negativeTokenId()).isEqualTo(golden.get("negative_token_id").asLong());
        assertThat(mxbai.positiveTokenId()).isEqualTo(golden.at("/mxbai_answer_token_ids/positive").asLong());
        assertThat(mxbai.negativeTokenId()).isEqualTo(golden.at("/mxbai_answer_token_ids/negative").asLong());
    }

    @Test
    void refuses_an_answer_that_is_not_one_token_and_a_max_length_the_template_fills() {
        PromptTemplate multi = PromptTemplate.fromJson("""
                {"name": "t", "answer_tokens": {"positive": "absolutely relevant", "negative": "no"},
                 "default_instruction": null, "max_length": 64,
                 "segments": [{"text": "Q: {query} D: {document}"}]}""", "test template");
        assertThatThrownBy(() -> PromptEncoder.create(multi, tokenizer, 64, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'absolutely relevant'").hasMessageContaining("single token");
        assertThatThrownBy(() -> PromptEncoder.create(PromptTemplate.builtIn("qwen3-reranker"), tokenizer, 40, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength 40").hasMessageContaining("qwen3-reranker");
    }

    private static String text(JsonNode c, String field) {
        return c.get(field) == null || c.get(field).isNull() ? null : c.get(field).asText();
    }

    private static long[] ids(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] slice(long[] values, int from, int to) {
        return java.util.Arrays.copyOfRange(values, from, to);
    }
}
