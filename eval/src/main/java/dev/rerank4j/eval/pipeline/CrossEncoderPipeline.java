package dev.rerank4j.eval.pipeline;

import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ce@N}: the top N candidates reranked by the cross-encoder's score (ties keep first-stage order), then the
 * rest in first-stage order.
 */
public final class CrossEncoderPipeline implements RerankPipeline {

    private final CrossEncoderScoringModel model;
    private final Map<String, Document> corpus;
    private final int depth;

    /** The model is shared and closed by the caller. */
    public CrossEncoderPipeline(CrossEncoderScoringModel model, Map<String, Document> corpus, int depth) {
        if (model == null) {
            throw new IllegalArgumentException("model cannot be null");
        }
        if (corpus == null) {
            throw new IllegalArgumentException("corpus cannot be null");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        this.model = model;
        this.corpus = corpus;
        this.depth = depth;
    }

    @Override
    public String name() {
        return "ce@" + depth;
    }

    public int depth() {
        return depth;
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        int n = Math.min(depth, candidates.size());
        List<String> passages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            passages.add(passage(corpus, candidates.get(i).docId()));
        }
        double[] scores = model.scorePassages(query.text(), passages).scores();
        return new Ranking(Reorder.prefixByScore(candidates, scores), n, n);
    }

    static String passage(Map<String, Document> corpus, String docId) {
        Document doc = corpus.get(docId);
        if (doc == null) {
            throw new IllegalArgumentException("candidate document \"" + docId + "\" is not in the corpus");
        }
        return doc.passage();
    }

    @Override
    public String modelId() {
        return model.source();
    }

    @Override
    public String engine() {
        return model.engineDescription();
    }
}
