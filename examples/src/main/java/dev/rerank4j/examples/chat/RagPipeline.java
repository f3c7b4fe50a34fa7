package dev.rerank4j.examples.chat;

import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.injector.DefaultContentInjector;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.rag.RerankEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The retrieval side of the bot: dense top {@code denseK} (150) → rerank the best {@code rerankDepth} (30) → keep
 * {@code keep} (8), with the reranker chosen per question. The same aggregators serve the LangChain4j
 * {@link DefaultRetrievalAugmentor} (chat) and {@link #retrieve} (retrieval-only mode and {@code /compare}), so what
 * is shown is what the chat model gets.
 */
public final class RagPipeline {

    private final DenseIndex index;
    private final int denseK;
    private final int rerankDepth;
    private final int keep;
    private final Map<RerankerKind, ScoringModel> scorers;
    private final Duration latencyBudget;
    /** Built once per reranker: an adaptive depth policy learns from every request. */
    private final Map<RerankerKind, ContentAggregator> aggregators = new EnumMap<>(RerankerKind.class);
    /** The trace of the question being answered; the bot answers one question at a time. */
    private final AtomicReference<TurnTrace> current = new AtomicReference<>(new TurnTrace(RerankerKind.NONE));

    /**
     * @param latencyBudget rerank latency to plan for (adaptive depth, SLA fallback to dense order when exceeded),
     *                      or null for a fixed depth without deadline
     */
    public RagPipeline(DenseIndex index, Map<RerankerKind, ScoringModel> scorers, int denseK, int rerankDepth, int keep,
                       Duration latencyBudget) {
        if (index == null) {
            throw new IllegalArgumentException("index cannot be null");
        }
        if (denseK < 1 || rerankDepth < 1 || keep < 1) {
            throw new IllegalArgumentException("denseK, rerankDepth and keep must be >= 1, were "
                    + denseK + ", " + rerankDepth + ", " + keep);
        }
        this.index = index;
        this.denseK = denseK;
        this.rerankDepth = rerankDepth;
        this.keep = keep;
        this.scorers = scorers == null || scorers.isEmpty() ? new EnumMap<>(RerankerKind.class) : new EnumMap<>(scorers);
        this.latencyBudget = latencyBudget;
    }

    public DenseIndex index() {
        return index;
    }

    public int denseK() {
        return denseK;
    }

    public int keep() {
        return keep;
    }

    public boolean available(RerankerKind kind) {
        return kind == RerankerKind.NONE || scorers.containsKey(kind);
    }

    public Optional<ScoringModel> scorer(RerankerKind kind) {
        return Optional.ofNullable(scorers.get(kind));
    }

    /** Starts the trace for the next question. */
    public TurnTrace begin(RerankerKind kind) {
        TurnTrace trace = new TurnTrace(kind);
        current.set(trace);
        return trace;
    }

    /** For AiServices: retrieval + reranking of every user message with this reranker. */
    public RetrievalAugmentor augmentor(RerankerKind kind) {
        return DefaultRetrievalAugmentor.builder()
                .contentRetriever(timedRetriever())
                .contentAggregator(aggregator(kind))
                // The ids and titles go into the prompt so the model can cite them.
                .contentInjector(DefaultContentInjector.builder()
                        .metadataKeysToInclude(List.of(CorpusLoader.META_ID, CorpusLoader.META_TITLE))
                        .build())
                .build();
    }

    /** The top {@code keep} for a question with this reranker (what the chat model would see), best first. */
    public List<Content> retrieve(String question, RerankerKind kind) {
        Query query = Query.from(question);
        List<Content> candidates = timedRetriever().retrieve(query);
        return aggregator(kind).aggregate(Map.of(query, List.of(candidates)));
    }

    private ContentRetriever timedRetriever() {
        ContentRetriever dense = index.retriever(denseK);
        return query -> {
            long start = System.nanoTime();
            List<Content> found = dense.retrieve(query);
            current.get().retrieved(System.nanoTime() - start, found.size());
            return found;
        };
    }

    private synchronized ContentAggregator aggregator(RerankerKind kind) {
        return aggregators.computeIfAbsent(kind, this::newAggregator);
    }

    private ContentAggregator newAggregator(RerankerKind kind) {
        ScoringModel scorer = scorers.get(kind);
        if (kind == RerankerKind.NONE || scorer == null) {
            return queries -> firstList(queries).stream().limit(keep).toList();
        }
        CascadeContentAggregator.Builder cascade = CascadeContentAggregator.builder()
                .scoringModel(scorer)
                .firstStageSize(denseK)
                .maxResults(keep)
                .failOpen(true)
                .listener(this::record);
        if (latencyBudget != null) {
            cascade.depthPolicy(AdaptiveDepthPolicy.builder()
                    .latencyBudget(latencyBudget)
                    .maxDepth(rerankDepth)
                    .minDepth(Math.min(keep, rerankDepth))
                    .build());
        } else {
            cascade.rerankDepth(rerankDepth);
        }
        return cascade.build();
    }

    private void record(RerankEvent event) {
        current.get().reranked(event.totalNanos(), event.depthChosen(), event.cacheHits(),
                event.fallback().map(Enum::name).orElse(null));
    }

    private static List<Content> firstList(Map<Query, Collection<List<Content>>> queries) {
        List<Content> all = new ArrayList<>();
        queries.values().forEach(lists -> lists.forEach(all::addAll));
        return all;
    }

    /** The reranked score when there is one, else the dense similarity. */
    public static double score(Content content) {
        Object reranked = content.metadata().get(ContentMetadata.RERANKED_SCORE);
        Object score = reranked != null ? reranked : content.metadata().get(ContentMetadata.SCORE);
        return score instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    public static String id(Content content) {
        String id = content.textSegment().metadata().getString(CorpusLoader.META_ID);
        return id != null ? id : "?";
    }

    public static String title(Content content) {
        String title = content.textSegment().metadata().getString(CorpusLoader.META_TITLE);
        return title != null ? title : "";
    }
}
