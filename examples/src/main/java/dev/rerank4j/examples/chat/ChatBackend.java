package dev.rerank4j.examples.chat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured chat model: a blocking one always, a streaming one when the provider supports it.
 *
 * @param description e.g. {@code openai gpt-4o-mini at https://api.openai.com/v1}, shown at start-up
 */
public record ChatBackend(ChatModel model, StreamingChatModel streaming, String description) {

    public static final String DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
    public static final String DEFAULT_OLLAMA_URL = "http://localhost:11434";

    public ChatBackend {
        if (model == null) {
            throw new IllegalArgumentException("model cannot be null");
        }
    }

    /** A given chat model (tests, embedding applications). */
    public static ChatBackend of(ChatModel model, String description) {
        return new ChatBackend(model, null, description);
    }

    /**
     * From options, then environment ({@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY}, {@code OPENAI_MODEL},
     * {@code OLLAMA_BASE_URL}, {@code OLLAMA_MODEL}); empty when none is configured (retrieval-only mode).
     *
     * @throws IllegalArgumentException for an unknown provider or a provider without a model name
     */
    public static Optional<ChatBackend> configure(ChatOptions options, Map<String, String> env) {
        String provider = options.provider == null ? "auto" : options.provider.toLowerCase(Locale.ROOT).strip();
        if ("auto".equals(provider)) {
            if (options.baseUrl != null || options.apiKey != null || env.get("OPENAI_API_KEY") != null
                    || env.get("OPENAI_BASE_URL") != null) {
                provider = "openai";
            } else if (env.get("OLLAMA_MODEL") != null || env.get("OLLAMA_BASE_URL") != null) {
                provider = "ollama";
            } else {
                provider = "none";
            }
        }
        Duration timeout = Duration.ofSeconds(Math.max(1, options.timeoutSeconds));
        switch (provider) {
            case "none":
                return Optional.empty();
            case "openai": {
                String baseUrl = first(options.baseUrl, env.get("OPENAI_BASE_URL"), "https://api.openai.com/v1");
                // Local OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) accept any key.
                String apiKey = first(options.apiKey, env.get("OPENAI_API_KEY"), "no-key");
                String model = first(options.model, env.get("OPENAI_MODEL"), DEFAULT_OPENAI_MODEL);
                ChatModel chat = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(apiKey).modelName(model)
                        .timeout(timeout).maxRetries(0).build();
                StreamingChatModel streaming = options.noStream ? null : OpenAiStreamingChatModel.builder()
                        .baseUrl(baseUrl).apiKey(apiKey).modelName(model).timeout(timeout).build();
                return Optional.of(new ChatBackend(chat, streaming, "openai-compatible " + model + " at " + baseUrl));
            }
            case "ollama": {
                String baseUrl = first(options.baseUrl, env.get("OLLAMA_BASE_URL"), DEFAULT_OLLAMA_URL);
                String model = first(options.model, env.get("OLLAMA_MODEL"), null);
                if (model == null) {
                    throw new IllegalArgumentException("--provider ollama needs a model name: --model NAME or env OLLAMA_MODEL");
                }
                ChatModel chat = OllamaChatModel.builder().baseUrl(baseUrl).modelName(model).timeout(timeout)
                        .maxRetries(0).build();
                StreamingChatModel streaming = options.noStream ? null : OllamaStreamingChatModel.builder()
                        .baseUrl(baseUrl).modelName(model).timeout(timeout).build();
                return Optional.of(new ChatBackend(chat, streaming, "ollama " + model + " at " + baseUrl));
            }
            default:
                throw new IllegalArgumentException("unknown --provider '" + options.provider + "': use auto, openai, ollama or none");
        }
    }

    private static String first(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        if (b != null && !b.isBlank()) {
            return b;
        }
        return fallback;
    }
}
