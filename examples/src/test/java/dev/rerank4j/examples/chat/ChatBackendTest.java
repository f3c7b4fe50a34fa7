package dev.rerank4j.examples.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatBackendTest {

    @TempDir
    Path tempDir;

    @Test
    void no_configuration_means_retrieval_only() {
        assertThat(ChatBackend.configure(ChatOptions.defaults(), Map.of())).isEmpty();
    }

    @Test
    void openai_compatible_endpoint_comes_from_the_environment() {
        var backend = ChatBackend.configure(ChatOptions.defaults(),
                Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "http://localhost:8000/v1", "OPENAI_MODEL", "qwen"));
        assertThat(backend).isPresent();
        assertThat(backend.get().description()).contains("qwen").contains("http://localhost:8000/v1");
        assertThat(backend.get().streaming()).isNotNull();
    }

    @Test
    void ollama_needs_a_model_name_and_unknown_providers_are_named() {
        assertThatThrownBy(() -> ChatBackend.configure(ChatOptions.defaults().provider("ollama"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OLLAMA_MODEL");
        assertThatThrownBy(() -> ChatBackend.configure(ChatOptions.defaults().provider("gemini"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gemini'");
        assertThat(ChatBackend.configure(ChatOptions.defaults(), Map.of("OLLAMA_MODEL", "llama3")).orElseThrow()
                .description()).startsWith("ollama llama3");
    }

    @Test
    void unreachable_chat_endpoint_prints_a_clear_message_and_the_bot_keeps_running() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        for (boolean stream : new boolean[]{true, false}) {
            ChatOptions options = BotRun.options(tempDir).provider("openai").apiKey("test")
                    .baseUrl("http://127.0.0.1:" + closedPort + "/v1").timeoutSeconds(5).stream(stream);
            BotRun.Result run = BotRun.run(options, "what is MaxSim?\nwhat is nDCG?\n/quit\n");

            assertThat(run.output()).as("stream=" + stream).contains("Chat model: openai-compatible");
            assertThat(run.output().split("The chat model could not answer", -1)).as("both questions").hasSize(3);
            assertThat(run.output()).contains("Showing the retrieved passages instead").contains("Bye.");
        }
    }
}
