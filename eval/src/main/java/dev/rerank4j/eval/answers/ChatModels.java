package dev.rerank4j.eval.answers;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The chat model for answer generation, configured from environment variables:
 * {@code RERANK4J_OPENAI_BASE_URL}, {@code RERANK4J_OPENAI_API_KEY}, {@code RERANK4J_OPENAI_MODEL} (any
 * OpenAI-compatible endpoint), or {@code RERANK4J_OLLAMA_BASE_URL}, {@code RERANK4J_OLLAMA_MODEL}. None set: no
 * generation metrics.
 */
public final class ChatModels {

    public static final String OPENAI_BASE_URL = "RERANK4J_OPENAI_BASE_URL";
    public static final String OPENAI_API_KEY = "RERANK4J_OPENAI_API_KEY";
    public static final String OPENAI_MODEL = "RERANK4J_OPENAI_MODEL";
    public static final String OLLAMA_BASE_URL = "RERANK4J_OLLAMA_BASE_URL";
    public static final String OLLAMA_MODEL = "RERANK4J_OLLAMA_MODEL";

    /** A configured model and a description for reports (never the key). */
    public record Configured(ChatModel model, String description) {
    }

    private ChatModels() {
    }

    public static Optional<Configured> fromEnvironment(Map<String, String> env) {
        ensureNotNull(env, "env");
        String openAiModel = blankToNull(env.get(OPENAI_MODEL));
        String openAiUrl = blankToNull(env.get(OPENAI_BASE_URL));
        if (openAiModel != null || openAiUrl != null) {
            if (openAiModel == null) {
                throw new IllegalArgumentException(OPENAI_BASE_URL + " is set but " + OPENAI_MODEL + " is not");
            }
            OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                    .modelName(openAiModel)
                    .apiKey(env.getOrDefault(OPENAI_API_KEY, "none"))
                    .temperature(0.0)
                    .timeout(Duration.ofMinutes(2));
            if (openAiUrl != null) {
                builder.baseUrl(openAiUrl);
            }
            return Optional.of(new Configured(builder.build(), "openai-compatible " + openAiModel
                    + (openAiUrl != null ? " at " + openAiUrl : "")));
        }
        String ollamaModel = blankToNull(env.get(OLLAMA_MODEL));
        String ollamaUrl = blankToNull(env.get(OLLAMA_BASE_URL));
        if (ollamaModel != null || ollamaUrl != null) {
            if (ollamaModel == null) {
                throw new IllegalArgumentException(OLLAMA_BASE_URL + " is set but " + OLLAMA_MODEL + " is not");
            }
            String url = ollamaUrl != null ? ollamaUrl : "http://localhost:11434";
            return Optional.of(new Configured(OllamaChatModel.builder().baseUrl(url).modelName(ollamaModel)
                    .temperature(0.0).timeout(Duration.ofMinutes(2)).build(), "ollama " + ollamaModel + " at " + url));
        }
        return Optional.empty();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
