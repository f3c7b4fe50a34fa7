package dev.rerank4j.colbert;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;


import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The ColBERT pipeline as a LangChain4j {@link ContentRetriever}: a dense first stage returns candidates
 * (default 150), {@link ColbertScoringModel} reranks them by MaxSim (from the index where it holds a candidate),
 * and the best {@code maxResults} come back, best first, with the MaxSim score as
 * {@link ContentMetadata#RERANKED_SCORE} (and the first-stage score as {@link ContentMetadata#SCORE} when known).
 * Equal scores keep the first-stage order.
 *
 * <p>The first stage is either any {@link ContentRetriever} (its own result count applies) or an
 * {@link EmbeddingStore} searched with an {@link EmbeddingModel} for {@link Builder#firstStageSize}
 * candidates. With an embedding store, a segment without the scoring model's id metadata key gets the store's
 * embedding id as its id, so an index keyed by the store ids is used.
 */
public final class ColbertContentRetriever implements ContentRetriever {

    public static final int DEFAULT_FIRST_STAGE_SIZE = 150;
    public static final int DEFAULT_MAX_RESULTS = 10;

    private final ContentRetriever firstStage;
    private final EmbeddingStore<TextSegment> store;
    private final EmbeddingModel embeddingModel;
    private final int firstStageSize;
    private final ColbertScoringModel scoringModel;
    private final int maxResults;
    private final double minScore;

    private ColbertContentRetriever(Builder b) {
        this.firstStage = b.firstStage;
        this.store = b.embeddingStore;
        this.embeddingModel = b.embeddingModel;
        this.firstStageSize = getOrDefault(b.firstStageSize, DEFAULT_FIRST_STAGE_SIZE);
        this.scoringModel = b.scoringModel;
        this.maxResults = getOrDefault(b.maxResults, DEFAULT_MAX_RESULTS);
        this.minScore = getOrDefault(b.minScore, Double.NEGATIVE_INFINITY);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<Content> retrieve(Query query) {
        if (query == null || query.text() == null) {
            throw new IllegalArgumentException("query cannot be null");
        }
        List<Content> candidates = firstStage != null ? firstStage.retrieve(query) : searchStore(query.text());
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = candidates.stream().map(Content::textSegment).toList();
        List<Double> scores = scoringModel.scoreAll(segments, query.text()).content();
        List<Integer> order = IntStream.range(0, candidates.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores.get(i))) // stable: ties keep first-stage order
                .toList();
        List<Content> result = new ArrayList<>(Math.min(maxResults, order.size()));
        for (int i : order) {
            if (result.size() == maxResults || scores.get(i) < minScore) {
                break;
            }
            Map<ContentMetadata, Object> metadata = new EnumMap<>(ContentMetadata.class);
            metadata.putAll(candidates.get(i).metadata());
            metadata.put(ContentMetadata.RERANKED_SCORE, scores.get(i));
            result.add(Content.from(segments.get(i), metadata));
        }
        return List.copyOf(result);
    }

    private List<Content> searchStore(String query) {
        Embedding embedding = embeddingModel.embed(query).content();
        List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embedding).maxResults(firstStageSize).build()).matches();
        List<Content> contents = new ArrayList<>(matches.size());
        String key = scoringModel.idMetadataKey();
        for (EmbeddingMatch<TextSegment> match : matches) {
            TextSegment segment = match.embedded();
            if (segment == null) {
                continue; // an embedding stored without text cannot be reranked or returned
            }
            if (!segment.metadata().containsKey(key) && match.embeddingId() != null) {
                segment = TextSegment.from(segment.text(), segment.metadata().copy().put(key, match.embeddingId()));
            }
            Map<ContentMetadata, Object> metadata = new EnumMap<>(ContentMetadata.class);
            metadata.put(ContentMetadata.SCORE, match.score());
            if (match.embeddingId() != null) {
                metadata.put(ContentMetadata.EMBEDDING_ID, match.embeddingId());
            }
            contents.add(Content.from(segment, metadata));
        }
        return contents;
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private ContentRetriever firstStage;
        private EmbeddingStore<TextSegment> embeddingStore;
        private EmbeddingModel embeddingModel;
        private Integer firstStageSize;
        private ColbertScoringModel scoringModel;
        private Integer maxResults;
        private Double minScore;

        private Builder() {
        }

        /** First stage as any retriever; instead of {@link #embeddingStore} + {@link #embeddingModel}. */
        public Builder firstStage(ContentRetriever firstStage) {
            this.firstStage = firstStage;
            return this;
        }

        public Builder embeddingStore(EmbeddingStore<TextSegment> embeddingStore) {
            this.embeddingStore = embeddingStore;
            return this;
        }

        public Builder embeddingModel(EmbeddingModel embeddingModel) {
            this.embeddingModel = embeddingModel;
            return this;
        }

        /** Candidates taken from the embedding store (default 150). */
        public Builder firstStageSize(Integer firstStageSize) {
            this.firstStageSize = firstStageSize;
            return this;
        }

        public Builder scoringModel(ColbertScoringModel scoringModel) {
            this.scoringModel = scoringModel;
            return this;
        }

        /** Results returned after reranking (K, default 10). */
        public Builder maxResults(Integer maxResults) {
            this.maxResults = maxResults;
            return this;
        }

        /** Drops results whose MaxSim score is below this (default: none). */
        public Builder minScore(Double minScore) {
            this.minScore = minScore;
            return this;
        }

        public ColbertContentRetriever build() {
            boolean viaStore = embeddingStore != null || embeddingModel != null;
            if (firstStage != null && viaStore) {
                throw new IllegalArgumentException("set either firstStage or embeddingStore + embeddingModel, not both");
            }
            if (firstStage == null && (embeddingStore == null || embeddingModel == null)) {
                throw new IllegalArgumentException("a first stage is required: firstStage, or embeddingStore and embeddingModel");
            }
            ensureNotNull(scoringModel, "scoringModel");
            ensureGreaterThanZeroIfNotNull(firstStageSize, "firstStageSize");
            ensureGreaterThanZeroIfNotNull(maxResults, "maxResults");
            if (minScore != null && minScore.isNaN()) {
                throw new IllegalArgumentException("minScore cannot be NaN");
            }
            return new ColbertContentRetriever(this);
        }
    }
}
