package dev.rerank4j.eval.report;

import dev.rerank4j.eval.data.CandidateLists.Candidate;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How far two first stages agree, per query of the reference: overlap of the lists, whether the whole list or
 * the top 10 is in the same order.
 */
public record CandidateComparison(int queries, int missing, double meanOverlap, double identicalLists,
                                  double identicalTop10) {

    public static CandidateComparison compare(Map<String, List<Candidate>> ours,
                                              Map<String, List<Candidate>> reference) {
        if (ours == null || reference == null) {
            throw new IllegalArgumentException("candidate lists cannot be null");
        }
        int queries = 0;
        int missing = 0;
        double overlap = 0;
        int identical = 0;
        int identicalTop10 = 0;
        for (Map.Entry<String, List<Candidate>> entry : reference.entrySet()) {
            queries++;
            List<String> ref = ids(entry.getValue());
            List<Candidate> mine = ours.get(entry.getKey());
            if (mine == null) {
                missing++;
                continue;
            }
            List<String> own = ids(mine);
            Set<String> common = new HashSet<>(own);
            common.retainAll(new HashSet<>(ref));
            overlap += ref.isEmpty() ? 1 : (double) common.size() / ref.size();
            if (own.equals(ref)) {
                identical++;
            }
            if (own.subList(0, Math.min(10, own.size())).equals(ref.subList(0, Math.min(10, ref.size())))) {
                identicalTop10++;
            }
        }
        int n = Math.max(1, queries);
        return new CandidateComparison(queries, missing, overlap / n, (double) identical / n,
                (double) identicalTop10 / n);
    }

    private static List<String> ids(List<Candidate> candidates) {
        return candidates.stream().map(Candidate::docId).toList();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d reference queries (%d missing here): mean overlap %.4f, identical "
                + "lists %.4f, identical top-10 %.4f", queries, missing, meanOverlap, identicalLists, identicalTop10);
    }
}
