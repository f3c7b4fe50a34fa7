package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reranks a prefix of the candidates by new scores; ties and the unscored tail keep first-stage order. */
final class Reorder {

    private Reorder() {
    }

    static List<String> prefixByScore(List<Candidate> candidates, double[] scores) {
        int depth = scores.length;
        List<Integer> order = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            order.add(i);
        }
        // List.sort is stable, so equal scores keep dense order
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<String> ids = new ArrayList<>(candidates.size());
        for (int i : order) {
            ids.add(candidates.get(i).docId());
        }
        for (int i = depth; i < candidates.size(); i++) {
            ids.add(candidates.get(i).docId());
        }
        return ids;
    }
}
