package dev.rerank4j.eval.answers;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnswerGeneratorTest {

    /** A scripted chat model: replies in order and remembers the prompts. */
    static final class ScriptedChatModel implements ChatModel {
        final List<String> prompts = new ArrayList<>();
        private final List<String> replies;

        ScriptedChatModel(String... replies) {
            this.replies = List.of(replies);
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            prompts.add(((UserMessage) request.messages().get(request.messages().size() - 1)).singleText());
            return ChatResponse.builder().aiMessage(AiMessage.from(replies.get(prompts.size() - 1))).build();
        }
    }

    @Test
    void prompt_holds_the_question_and_every_passage_and_the_reply_is_trimmed() {
        ScriptedChatModel model = new ScriptedChatModel("  Paris \n");
        String reply = new AnswerGenerator(model).answer("capital of France?", List.of("P one", "P two"));
        assertThat(reply).isEqualTo("Paris");
        assertThat(model.prompts.get(0)).contains("capital of France?", "Passage 1: P one", "Passage 2: P two",
                AnswerGenerator.DECLINE);
    }

    @Test
    void a_reply_declines_when_it_says_unanswerable_or_is_empty() {
        assertThat(AnswerGenerator.declined("Unanswerable.")).isTrue();
        assertThat(AnswerGenerator.declined("")).isTrue();
        assertThat(AnswerGenerator.declined("Paris")).isFalse();
    }

    @Test
    void rejects_null_model_and_question() {
        assertThatThrownBy(() -> new AnswerGenerator(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AnswerGenerator(new ScriptedChatModel()).answer(null, List.of()))
                .hasMessageContaining("question");
    }

    @Test
    void no_chat_model_is_configured_without_environment_variables() {
        assertThat(ChatModels.fromEnvironment(Map.of("PATH", "/bin"))).isEmpty();
    }

    @Test
    void openai_compatible_and_ollama_models_come_from_the_environment() {
        assertThat(ChatModels.fromEnvironment(Map.of(ChatModels.OPENAI_BASE_URL, "http://localhost:1/v1",
                ChatModels.OPENAI_MODEL, "gpt-test")).orElseThrow().description())
                .contains("gpt-test", "http://localhost:1/v1").doesNotContain("none");
        assertThat(ChatModels.fromEnvironment(Map.of(ChatModels.OLLAMA_MODEL, "llama3")).orElseThrow().description())
                .contains("ollama", "llama3");
    }

    @Test
    void a_base_url_without_a_model_name_is_an_error_naming_the_variable() {
        assertThatThrownBy(() -> ChatModels.fromEnvironment(Map.of(ChatModels.OLLAMA_BASE_URL, "http://x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ChatModels.OLLAMA_MODEL);
    }
}
