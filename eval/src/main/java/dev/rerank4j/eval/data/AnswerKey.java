package dev.rerank4j.eval.data;

import java.util.List;

/** Gold answers of one question ({@code answers.jsonl}); unanswerable questions have no answer in the corpus. */
public record AnswerKey(String queryId, List<String> answers, boolean answerable) {

    public AnswerKey {
        answers = List.copyOf(answers);
    }
}
