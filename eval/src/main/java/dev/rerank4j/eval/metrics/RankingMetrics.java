package dev.rerank4j.eval.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Per-query ranking metrics with the trec_eval / pytrec_eval conventions: graded gains from the qrels, log2
 * discount, ideal ranking from the qrels, grade &lt;= 0 is not relevant, unjudged documents are not relevant.
 * Callers skip queries without any relevant document ({@link #hasRelevant}).
 */
public final class RankingMetrics {

    private RankingMetrics() {
    }

    public static boolean hasRelevant(Map<String, Integer> judgements) {
        return judgements.values().stream().anyMatch(g -> g > 0);
    }

    /** nDCG@k: DCG of the ranking over DCG of the ideal ranking of the judged grades. */
    public static double ndcg(List<String> ranking, Map<String, Integer> judgements, int k) {
        check(ranking, judgements, k);
        double dcg = 0;
        Set<String> seen = new HashSet<>();
        int position = 0;
        for (String doc : ranking) {
            if (position == k) {
                break;
            }
            if (!seen.add(doc)) {
                continue; // a document counts once, at its first position
            }
            int grade = judgements.getOrDefault(doc, 0);
            if (grade > 0) {
                dcg += grade / log2(position + 2);
            }
            position++;
        }
        List<Integer> grades = new ArrayList<>();
        for (int grade : judgements.values()) {
            if (grade > 0) {
                grades.add(grade);
            }
        }
        grades.sort((a, b) -> Integer.compare(b, a));
        double ideal = 0;
        for (int i = 0; i < Math.min(k, grades.size()); i++) {
            ideal += grades.get(i) / log2(i + 2);
        }
        return ideal == 0 ? 0 : dcg / ideal;
    }

    /** Reciprocal rank of the first relevant document within the top k, 0 when there is none. */
    public static double mrr(List<String> ranking, Map<String, Integer> judgements, int k) {
        check(ranking, judgements, k);
        List<String> top = distinctTop(ranking, k);
        for (int i = 0; i < top.size(); i++) {
            if (judgements.getOrDefault(top.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    /** Share of the relevant documents that are in the top k. */
    public static double recall(List<String> ranking, Map<String, Integer> judgements, int k) {
        check(ranking, judgements, k);
        long relevant = judgements.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        return (double) relevantIn(distinctTop(ranking, k), judgements) / relevant;
    }

    /** Relevant documents in the top k over k (trec_eval divides by k even when fewer were retrieved). */
    public static double precision(List<String> ranking, Map<String, Integer> judgements, int k) {
        check(ranking, judgements, k);
        return (double) relevantIn(distinctTop(ranking, k), judgements) / k;
    }

    private static int relevantIn(List<String> top, Map<String, Integer> judgements) {
        int hits = 0;
        for (String doc : top) {
            if (judgements.getOrDefault(doc, 0) > 0) {
                hits++;
            }
        }
        return hits;
    }

    private static List<String> distinctTop(List<String> ranking, int k) {
        List<String> top = new ArrayList<>(k);
        Set<String> seen = new HashSet<>();
        for (String doc : ranking) {
            if (top.size() == k) {
                break;
            }
            if (seen.add(doc)) {
                top.add(doc);
            }
        }
        return top;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static void check(List<String> ranking, Map<String, Integer> judgements, int k) {
        ensureNotNull(ranking, "ranking");
        ensureNotNull(judgements, "judgements");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, was " + k);
        }
    }
}
