package dev.rerank4j.eval.bench;

import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rerank requests from a BEIR-layout set and a first-stage candidate list: each request is one judged query with
 * the passages (title + " " + text) of its top-N candidates.
 */
public record RerankWorkload(List<Request> requests) {

    public record Request(String queryId, String query, List<String> passages) {
    }

    /** Up to {@code maxQueries} judged queries that have candidates, spread evenly over the set. */
    public static RerankWorkload load(Path dataDir, String split, Path candidatesTsv, int depth, int maxQueries) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        if (maxQueries < 1) {
            throw new IllegalArgumentException("queries must be >= 1, was " + maxQueries);
        }
        BeirDataset data = BeirDataset.load(dataDir, split);
        Map<String, List<CandidateLists.Candidate>> candidates = CandidateLists.read(candidatesTsv);
        List<Query> queries = data.judgedQueries().stream().filter(q -> candidates.containsKey(q.id())).toList();
        int step = Math.max(1, queries.size() / maxQueries);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < queries.size() && requests.size() < maxQueries; i += step) {
            Query query = queries.get(i);
            List<String> passages = new ArrayList<>();
            for (CandidateLists.Candidate candidate : candidates.get(query.id())) {
                if (passages.size() == depth) {
                    break;
                }
                Document doc = data.corpus().get(candidate.docId());
                if (doc == null) {
                    throw new IllegalArgumentException("document " + candidate.docId() + " from " + candidatesTsv
                            + " is not in " + data.corpusFile());
                }
                passages.add(doc.passage());
            }
            requests.add(new Request(query.id(), query.text(), List.copyOf(passages)));
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no judged query of " + dataDir + " (" + split + ") has candidates in " + candidatesTsv);
        }
        return new RerankWorkload(List.copyOf(requests));
    }

    public int pairs() {
        return requests.stream().mapToInt(r -> r.passages().size()).sum();
    }
}
