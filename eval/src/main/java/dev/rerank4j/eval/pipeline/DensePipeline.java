package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.util.ArrayList;
import java.util.List;

/** The first stage as it is (no reranking). */
public final class DensePipeline implements RerankPipeline {

    private final String modelId;

    public DensePipeline(String modelId) {
        this.modelId = modelId;
    }

    @Override
    public String name() {
        return "dense";
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        List<String> ids = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            ids.add(candidate.docId());
        }
        return new Ranking(ids, 0, 0);
    }

    @Override
    public String modelId() {
        return modelId;
    }
}
