package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.AugmentationRequest;
import dev.langchain4j.rag.AugmentationResult;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The scorer works unchanged as the scoringModel of LangChain4j's own ReRankingContentAggregator. */
class ReRankingContentAggregatorIntegrationTest {

    @Test
    void reranks_retrieved_content_inside_default_retrieval_augmentor() {
        List<TextSegment> corpus = List.of(
                TextSegment.from("Vitamin D promotes calcium absorption and bone mineralization."),
                TextSegment.from("Statins lower LDL cholesterol by inhibiting HMG-CoA reductase."),
                TextSegment.from("Smoking is the leading cause of lung cancer."),
                TextSegment.from("Osteoporosis is a loss of bone density common in older adults."),
                TextSegment.from("Calcium and vitamin D supplements are prescribed to prevent fractures."),
                TextSegment.from("The stock market closed higher on Friday."));
        EmbeddingModel embeddings = new AllMiniLmL6V2EmbeddingModel();
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        store.addAll(embeddings.embedAll(corpus).content(), corpus);
        String question = "how does vitamin d help bones?";

        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).build()) {
            DefaultRetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder()
                    .contentRetriever(EmbeddingStoreContentRetriever.builder()
                            .embeddingStore(store).embeddingModel(embeddings).maxResults(5).build())
                    .contentAggregator(ReRankingContentAggregator.builder().scoringModel(scorer).maxResults(3).build())
                    .build();

            UserMessage message = UserMessage.from(question);
            AugmentationResult result = augmentor.augment(new AugmentationRequest(message,
                    Metadata.builder().chatMessage(message)
                    .invocationContext(dev.langchain4j.invocation.InvocationContext.builder().chatMemoryId("test").build()).build()));

            List<Content> contents = result.contents();
            assertThat(contents).hasSize(3);
            // the order is the scorer's own order over the 5 retrieved candidates
            List<TextSegment> candidates = store.search(dev.langchain4j.store.embedding.EmbeddingSearchRequest.builder()
                    .queryEmbedding(embeddings.embed(question).content()).maxResults(5).build())
                    .matches().stream().map(m -> m.embedded()).toList();
            List<Double> direct = scorer.scoreAll(candidates, question).content();
            List<String> expected = IntStream.range(0, candidates.size()).boxed()
                    .sorted(Comparator.comparing(direct::get).reversed())
                    .limit(3).map(i -> candidates.get(i).text()).toList();
            assertThat(contents).extracting(c -> c.textSegment().text()).containsExactlyElementsOf(expected);
            assertThat(contents).allSatisfy(c -> assertThat(c.metadata()).containsKey(ContentMetadata.RERANKED_SCORE));
        }
    }
}
