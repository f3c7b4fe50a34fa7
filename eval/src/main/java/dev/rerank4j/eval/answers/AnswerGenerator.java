package dev.rerank4j.eval.answers;

import dev.langchain4j.model.chat.ChatModel;

import java.util.List;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Asks a chat model to answer a question from the top passages, with a fixed reply for questions the passages do
 * not answer (so declining can be measured on unanswerable questions).
 */
public final class AnswerGenerator {

    /** The reply the prompt asks for when the passages hold no answer. */
    public static final String DECLINE = "unanswerable";

    private final ChatModel model;

    public AnswerGenerator(ChatModel model) {
        ensureNotNull(model, "model");
        this.model = model;
    }

    public String answer(String question, List<String> passages) {
        ensureNotNull(question, "question");
        ensureNotNull(passages, "passages");
        StringBuilder prompt = new StringBuilder();
        prompt.append("Answer the question using only the passages below. Reply with the shortest exact answer ")
                .append("span (a few words), no explanation. If the passages do not contain the answer, reply ")
                .append("exactly: ").append(DECLINE).append("\n\n");
        for (int i = 0; i < passages.size(); i++) {
            prompt.append("Passage ").append(i + 1).append(": ").append(passages.get(i)).append("\n\n");
        }
        prompt.append("Question: ").append(question).append("\nAnswer:");
        String reply = model.chat(prompt.toString());
        return reply == null ? "" : reply.trim();
    }

    /** Whether a reply declines to answer. */
    public static boolean declined(String reply) {
        String normalized = SquadNormalizer.normalize(reply);
        return normalized.isEmpty() || normalized.startsWith(DECLINE);
    }
}
