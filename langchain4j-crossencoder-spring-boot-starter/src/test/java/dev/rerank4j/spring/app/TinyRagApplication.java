package dev.rerank4j.spring.app;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.service.AiServices;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * A tiny RAG application: everything rerank4j-specific comes from the starter (properties only); the application
 * wires the auto-configured {@link ContentAggregator} into its retrieval augmentor, as a user would.
 */
@SpringBootApplication
public class TinyRagApplication {

    /** The first stage's answer to every query, best first: what a vector store would return. */
    public static final List<String> FIRST_STAGE = IntStream.range(0, 20)
            .mapToObj(i -> "Passage " + i + ": " + (i % 3 == 0 ? "vitamin d supports bone health in older adults"
                    : i % 3 == 1 ? "the capital of france is paris" : "statins lower ldl cholesterol levels"))
            .toList();

    public interface Assistant {
        String answer(String question);
    }

    /** A chat model that answers with a canned text and keeps every request (the LLM is not what is tested). */
    public static final class RecordingChatModel implements ChatModel {
        public final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            return ChatResponse.builder().aiMessage(AiMessage.from("canned answer")).build();
        }
    }

    @Bean
    RecordingChatModel chatModel() {
        return new RecordingChatModel();
    }

    @Bean
    ContentRetriever firstStage() {
        return query -> FIRST_STAGE.stream().map(Content::from).toList();
    }

    @Bean
    RetrievalAugmentor retrievalAugmentor(ContentRetriever firstStage, ContentAggregator rerank4jCascade) {
        return DefaultRetrievalAugmentor.builder().contentRetriever(firstStage).contentAggregator(rerank4jCascade).build();
    }

    @Bean
    Assistant assistant(ChatModel chatModel, RetrievalAugmentor retrievalAugmentor) {
        return AiServices.builder(Assistant.class).chatModel(chatModel).retrievalAugmentor(retrievalAugmentor).build();
    }
}
