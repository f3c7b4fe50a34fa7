package dev.rerank4j.spring;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.spring.app.TinyRagApplication;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application with the starter and the real tiny model: an AiServices assistant whose retrieval
 * augmentor uses the auto-configured cascade gets the reranked top 8 in its prompt, in reranked order.
 */
@SpringBootTest(classes = TinyRagApplication.class, properties = {
        "rerank4j.cascade.max-results=8", "rerank4j.cascade.rerank-depth=20"})
class TinyRagApplicationTest {

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("rerank4j.scoring-model.model-directory", () -> TestModels.resourceModel("tiny-ce").toString());
    }

    @Autowired
    TinyRagApplication.Assistant assistant;
    @Autowired
    TinyRagApplication.RecordingChatModel chatModel;
    @Autowired
    CrossEncoderScoringModel crossEncoder;
    @Autowired
    ScoringModel scoringModel;
    @Autowired
    CascadeContentAggregator cascade;

    @Test
    void the_assistant_prompt_carries_the_cascades_top_eight_in_reranked_order() {
        String question = "does vitamin d help bones?";
        List<Double> scores = crossEncoder.scoreAll(TinyRagApplication.FIRST_STAGE.stream().map(TextSegment::from).toList(),
                question).content();
        List<String> expected = IntStream.range(0, scores.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> scores.get(i)).reversed())
                .limit(8).map(TinyRagApplication.FIRST_STAGE::get).toList();
        assertThat(expected).as("reranking must change the order, or this test could not tell")
                .isNotEqualTo(TinyRagApplication.FIRST_STAGE.subList(0, 8));

        assertThat(assistant.answer(question)).isEqualTo("canned answer");

        assertThat(scoringModel).isInstanceOf(CachingScoringModel.class);
        List<dev.langchain4j.data.message.ChatMessage> messages = chatModel.requests.get(0).messages();
        String prompt = ((UserMessage) messages.get(messages.size() - 1)).singleText() + "\n";
        List<Integer> positions = expected.stream().map(text -> prompt.indexOf(text + "\n")).toList();
        assertThat(positions).as("each of the top 8 in the prompt").doesNotContain(-1).isSorted();
        TinyRagApplication.FIRST_STAGE.stream().filter(text -> !expected.contains(text))
                .forEach(text -> assertThat(prompt).doesNotContain(text + "\n"));
    }
}
