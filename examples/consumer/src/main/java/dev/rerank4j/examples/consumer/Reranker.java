package dev.rerank4j.examples.consumer;

import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The integration a LangChain4j application writes: a cross-encoder from a model directory as the
 * {@code ScoringModel} of LangChain4j's own {@link ReRankingContentAggregator}.
 */
public final class Reranker implements AutoCloseable {

    private final CrossEncoderScoringModel scorer;
    private final ContentAggregator aggregator;

    public Reranker(Path modelDirectory, int maxResults) {
        this.scorer = CrossEncoderScoringModel.builder().modelDirectory(modelDirectory).build();
        this.aggregator = ReRankingContentAggregator.builder().scoringModel(scorer).maxResults(maxResults).build();
    }

    /** The retrieved contents of one query, best first by the cross-encoder. */
    public List<Content> rerank(String query, List<Content> retrieved) {
        Map<Query, Collection<List<Content>>> request = Map.of(Query.from(query), List.of(retrieved));
        return aggregator.aggregate(request);
    }

    public CrossEncoderScoringModel scorer() {
        return scorer;
    }

    @Override
    public void close() {
        scorer.close();
    }
}
