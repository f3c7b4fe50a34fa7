package dev.rerank4j.eval.answers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Answer correctness measures, all on SQuAD-normalised text. */
public final class AnswerMetrics {

    private AnswerMetrics() {
    }

    /**
     * Whether any gold answer occurs in the joined passages (answer recall@k, with the top-k passages). The
     * joined text is normalised as a whole, so an answer is found across punctuation and spacing differences.
     */
    public static boolean answerInPassages(List<String> answers, List<String> passages) {
        check(answers, "answers");
        check(passages, "passages");
        String haystack = " " + SquadNormalizer.normalize(String.join(" ", passages)) + " ";
        for (String answer : answers) {
            String needle = SquadNormalizer.normalize(answer);
            if (!needle.isEmpty() && haystack.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    /** Exact match against the best gold answer: 1 or 0. */
    public static double exactMatch(String prediction, List<String> answers) {
        check(answers, "answers");
        String normalized = SquadNormalizer.normalize(prediction);
        for (String answer : answers) {
            if (SquadNormalizer.normalize(answer).equals(normalized)) {
                return 1;
            }
        }
        return 0;
    }

    /** Token F1 against the best gold answer (SQuAD script: bag-of-tokens overlap). */
    public static double tokenF1(String prediction, List<String> answers) {
        check(answers, "answers");
        List<String> predicted = SquadNormalizer.tokens(prediction);
        double best = 0;
        for (String answer : answers) {
            best = Math.max(best, f1(predicted, SquadNormalizer.tokens(answer)));
        }
        return best;
    }

    private static double f1(List<String> predicted, List<String> gold) {
        if (predicted.isEmpty() || gold.isEmpty()) {
            return predicted.equals(gold) ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String token : gold) {
            counts.merge(token, 1, Integer::sum);
        }
        int common = 0;
        for (String token : predicted) {
            Integer left = counts.get(token);
            if (left != null && left > 0) {
                common++;
                counts.put(token, left - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / predicted.size();
        double recall = (double) common / gold.size();
        return 2 * precision * recall / (precision + recall);
    }

    private static void check(List<String> list, String name) {
        if (list == null) {
            throw new IllegalArgumentException(name + " cannot be null");
        }
    }
}
