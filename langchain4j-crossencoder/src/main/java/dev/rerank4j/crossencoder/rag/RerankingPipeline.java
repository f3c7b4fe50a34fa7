package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Wires the cascade into LangChain4j: {@link DenseIndex#retriever(int)} (150 candidates by default) feeding a
 * {@link CascadeContentAggregator} inside a {@link DefaultRetrievalAugmentor}.
 *
 * <pre>{@code
 * RetrievalAugmentor augmentor = RerankingPipeline.retrievalAugmentor(index,
 *         CascadeContentAggregator.builder().scoringModel(crossEncoder).build());
 * Assistant assistant = AiServices.builder(Assistant.class).chatModel(chat).retrievalAugmentor(augmentor).build();
 * }</pre>
 */
public final class RerankingPipeline {

    private RerankingPipeline() {
    }

    /** Dense top {@value CascadeContentAggregator#DEFAULT_FIRST_STAGE_SIZE} → the given aggregator. */
    public static RetrievalAugmentor retrievalAugmentor(DenseIndex index, ContentAggregator aggregator) {
        return retrievalAugmentor(index, CascadeContentAggregator.DEFAULT_FIRST_STAGE_SIZE, aggregator);
    }

    public static RetrievalAugmentor retrievalAugmentor(DenseIndex index, int firstStageSize, ContentAggregator aggregator) {
        ensureNotNull(index, "index");
        ensureNotNull(aggregator, "aggregator");
        return DefaultRetrievalAugmentor.builder()
                .contentRetriever(index.retriever(firstStageSize))
                .contentAggregator(aggregator)
                .build();
    }
}
