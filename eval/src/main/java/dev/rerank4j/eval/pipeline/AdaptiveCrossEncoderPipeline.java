package dev.rerank4j.eval.pipeline;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.DepthPolicy.RerankCost;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel.ScoredBatch;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ce-sla@MS}: per query, {@link AdaptiveDepthPolicy} picks how many candidates the cross-encoder can score
 * within MS milliseconds (learning the cost per token from the queries before), then reranks that prefix.
 */
public final class AdaptiveCrossEncoderPipeline implements RerankPipeline {

    private final CrossEncoderScoringModel model;
    private final Map<String, Document> corpus;
    private final AdaptiveDepthPolicy policy;
    private final int budgetMillis;

    public AdaptiveCrossEncoderPipeline(CrossEncoderScoringModel model, Map<String, Document> corpus,
                                        int budgetMillis, int maxDepth) {
        if (model == null) {
            throw new IllegalArgumentException("model cannot be null");
        }
        if (budgetMillis < 1) {
            throw new IllegalArgumentException("budgetMillis must be >= 1, was " + budgetMillis);
        }
        this.model = model;
        this.corpus = corpus;
        this.budgetMillis = budgetMillis;
        this.policy = AdaptiveDepthPolicy.builder().latencyBudget(Duration.ofMillis(budgetMillis))
                .tokenizer(model.tokenizer()).minDepth(1).maxDepth(Math.max(1, maxDepth)).build();
    }

    @Override
    public String name() {
        return "ce-sla@" + budgetMillis;
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return new Ranking(List.of(), 0, 0);
        }
        List<TextSegment> segments = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            segments.add(TextSegment.from(CrossEncoderPipeline.passage(corpus, candidate.docId())));
        }
        int depth = Math.min(candidates.size(), Math.max(1, policy.depth(query.text(), segments)));
        List<String> passages = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            passages.add(segments.get(i).text());
        }
        long start = System.nanoTime();
        ScoredBatch scored = model.scorePassages(query.text(), passages);
        policy.observe(new RerankCost(query.text(), passages, scored.stats().realTokens(),
                System.nanoTime() - start, true));
        return new Ranking(Reorder.prefixByScore(candidates, scored.scores()), depth, depth);
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
