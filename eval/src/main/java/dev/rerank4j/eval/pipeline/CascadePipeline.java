package dev.rerank4j.eval.pipeline;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * {@code ce@N} and {@code ce-sla@MS} (and any other {@link ScoringModel} at a fixed depth): the first-stage candidates go through {@link CascadeContentAggregator}, wired
 * as an application wires it (fixed depth N, or an {@link AdaptiveDepthPolicy} with a budget of MS milliseconds
 * and its default deadline, fail-open), optionally behind a {@link CachingScoringModel}. The aggregator keeps every
 * candidate ({@code maxResults} = first-stage size), so the ranking is the reranked prefix followed by the rest in
 * first-stage order, which is what recall@100 needs.
 */
public final class CascadePipeline implements RerankPipeline {

    /** Metadata key of a segment's document id. */
    public static final String ID_KEY = "id";

    private final String name;
    private final String modelId;
    private final String engine;
    private final CachingScoringModel cache;
    private final Map<String, Document> corpus;
    private final AdaptiveDepthPolicy adaptivePolicy;
    private final CascadeContentAggregator aggregator;
    private RerankEvent lastEvent;

    private CascadePipeline(String name, ScoringModel model, boolean cached, String modelId, String engine,
                            Map<String, Document> corpus, AdaptiveDepthPolicy adaptivePolicy, int depth,
                            int firstStageSize) {
        ensureNotNull(model, "model");
        ensureNotNull(corpus, "corpus");
        if (firstStageSize < 1) {
            throw new IllegalArgumentException("firstStageSize must be >= 1, was " + firstStageSize);
        }
        this.name = name;
        this.cache = cached ? CachingScoringModel.builder().delegate(model).build() : null;
        this.modelId = modelId;
        this.engine = engine + (cache != null ? ", CachingScoringModel" : "");
        this.corpus = corpus;
        this.adaptivePolicy = adaptivePolicy;
        CascadeContentAggregator.Builder builder = CascadeContentAggregator.builder()
                .scoringModel(cache != null ? cache : model)
                .firstStageSize(firstStageSize).maxResults(firstStageSize).listener(event -> lastEvent = event);
        if (adaptivePolicy != null) {
            builder.depthPolicy(adaptivePolicy);
        } else {
            builder.rerankDepth(depth);
        }
        this.aggregator = builder.build();
    }

    /** {@code ce@N}: the top {@code depth} candidates reranked by the cross-encoder, no deadline. */
    public static CascadePipeline fixedDepth(CrossEncoderScoringModel model, Map<String, Document> corpus, int depth,
                                             int firstStageSize, boolean cached) {
        requireModel(model);
        return of("ce@" + depth, model, model.source(), model.engineDescription(), corpus, depth, firstStageSize,
                cached);
    }

    /** Any scoring model through the cascade at a fixed depth (e.g. a research codec in a benchmark). */
    public static CascadePipeline of(String name, ScoringModel model, String modelId, String engine,
                                     Map<String, Document> corpus, int depth, int firstStageSize, boolean cached) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        return new CascadePipeline(name, model, cached, modelId, engine, corpus, null, depth, firstStageSize);
    }

    /**
     * {@code ce-sla@MS}: per query the policy picks how many candidates, between {@code minDepth} and
     * {@code maxDepth}, fit the budget, learning the cost per token from the queries before; the budget is also
     * the deadline.
     */
    public static CascadePipeline latencyBudget(CrossEncoderScoringModel model, Map<String, Document> corpus,
                                                int budgetMillis, int minDepth, int maxDepth, int firstStageSize,
                                                boolean cached) {
        requireModel(model);
        if (budgetMillis < 1) {
            throw new IllegalArgumentException("budgetMillis must be >= 1, was " + budgetMillis);
        }
        AdaptiveDepthPolicy policy = AdaptiveDepthPolicy.builder().latencyBudget(Duration.ofMillis(budgetMillis))
                .tokenizer(model.tokenizer()).minDepth(minDepth).maxDepth(maxDepth).build();
        return new CascadePipeline("ce-sla@" + budgetMillis, model, cached, model.source(),
                model.engineDescription(), corpus, policy, 0, firstStageSize);
    }

    private static void requireModel(CrossEncoderScoringModel model) {
        ensureNotNull(model, "model");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Ranking rank(Query query, List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return new Ranking(List.of(), 0, 0);
        }
        List<Content> contents = new ArrayList<>(candidates.size());
        for (Candidate candidate : candidates) {
            TextSegment segment = TextSegment.from(passage(corpus, candidate.docId()),
                    Metadata.from(ID_KEY, candidate.docId()));
            contents.add(Content.from(segment, Map.of(ContentMetadata.SCORE, candidate.score())));
        }
        lastEvent = null;
        Map<dev.langchain4j.rag.query.Query, Collection<List<Content>>> request =
                Map.of(dev.langchain4j.rag.query.Query.from(query.text()), List.of(contents));
        List<Content> reranked = aggregator.aggregate(request);
        if (reranked.size() != candidates.size() || lastEvent == null) {
            throw new IllegalStateException("the cascade returned " + reranked.size() + " of " + candidates.size()
                    + " candidates for query " + query.id());
        }
        List<String> ids = new ArrayList<>(reranked.size());
        for (Content content : reranked) {
            ids.add(content.textSegment().metadata().getString(ID_KEY));
        }
        RerankEvent event = lastEvent;
        return new Ranking(ids, event.depthChosen(), event.depthChosen(), event.cacheHits(), event.batches(),
                event.fallback().map(Enum::name).orElse(null));
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
        return modelId;
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public boolean cached() {
        return cache != null;
    }

    @Override
    public void clearCache() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    @Override
    public Map<String, Object> details() {
        if (adaptivePolicy == null) {
            return Map.of();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("budget_ms", adaptivePolicy.latencyBudget().map(Duration::toMillis).orElse(null));
        details.put("min_depth", adaptivePolicy.minDepth());
        details.put("max_depth", adaptivePolicy.maxDepth());
        details.put("deadline_ms", aggregator.deadline().map(Duration::toMillis).orElse(null));
        details.put("learned_ns_per_token", adaptivePolicy.nanosPerToken().isPresent()
                ? adaptivePolicy.nanosPerToken().getAsDouble() : null);
        details.put("observations", adaptivePolicy.observations());
        return details;
    }
}
