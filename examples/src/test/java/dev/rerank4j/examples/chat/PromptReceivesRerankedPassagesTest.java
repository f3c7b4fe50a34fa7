package dev.rerank4j.examples.chat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class PromptReceivesRerankedPassagesTest {

    private static final String QUESTION = "why are cross-encoders slower than bi-encoders?";

    @TempDir
    Path tempDir;

    /** A chat model that answers with a canned text and keeps every request it got. */
    static final class ScriptedChatModel implements ChatModel {
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public ChatResponse doChat(ChatRequest request) {
            requests.add(request);
            return ChatResponse.builder().aiMessage(AiMessage.from("Canned answer " + requests.size() + " [rag#1]")).build();
        }
    }

    @Test
    void the_reranked_top_eight_reach_the_prompt_in_reranked_order() {
        ScriptedChatModel chat = new ScriptedChatModel();
        BotRun.Result run = BotRun.run(BotRun.options(tempDir), QUESTION + "\n/quit\n", ChatBackend.of(chat, "scripted"));

        List<String> expected = rerankedTopEight();
        List<String> denseTopEight = denseTop(8);
        assertThat(expected).as("the fixture reranker must change the order, or this test could not tell")
                .isNotEqualTo(denseTopEight);

        assertThat(chat.requests).hasSize(1);
        String prompt = lastUserText(chat.requests.get(0).messages());
        List<Integer> positions = expected.stream().map(prompt::indexOf).toList();
        assertThat(positions).as("every reranked passage is in the prompt").doesNotContain(-1);
        assertThat(positions).as("in reranked order").isSorted();
        long passagesInPrompt = CorpusLoader.builtIn().passages().stream().filter(d -> prompt.contains(d.text())).count();
        assertThat(passagesInPrompt).as("only the kept passages").isEqualTo(8);
        assertThat(chat.requests.get(0).messages()).first().isInstanceOf(SystemMessage.class);

        assertThat(run.output()).contains("assistant> Canned answer 1").contains("Sources:").contains("[8] ")
                .contains("generate");
    }

    @Test
    void chat_memory_carries_the_previous_turn_into_the_next_request() {
        ScriptedChatModel chat = new ScriptedChatModel();
        BotRun.run(BotRun.options(tempDir), QUESTION + "\nand what about ColBERT?\n/quit\n", ChatBackend.of(chat, "scripted"));

        assertThat(chat.requests).hasSize(2);
        List<ChatMessage> second = chat.requests.get(1).messages();
        assertThat(second).anySatisfy(m -> assertThat(m).isInstanceOf(AiMessage.class));
        assertThat(((AiMessage) second.stream().filter(AiMessage.class::isInstance).findFirst().orElseThrow()).text())
                .isEqualTo("Canned answer 1 [rag#1]");
    }

    private static String lastUserText(List<ChatMessage> messages) {
        UserMessage last = null;
        for (ChatMessage message : messages) {
            if (message instanceof UserMessage user) {
                last = user;
            }
        }
        assertThat(last).isNotNull();
        return last.singleText();
    }

    /** Computed here without the bot: dense top 150 → tiny cross-encoder on the first 30 → best 8. */
    private static List<String> rerankedTopEight() {
        List<TextSegment> head = denseMatches().stream().limit(30).map(EmbeddingMatch::embedded).toList();
        try (CrossEncoderScoringModel ce = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).build()) {
            List<Double> scores = ce.scoreAll(head, QUESTION).content();
            return IntStream.range(0, head.size()).boxed()
                    .sorted(Comparator.comparing((Integer i) -> scores.get(i)).reversed())
                    .limit(8).map(i -> head.get(i).text()).toList();
        }
    }

    private static List<String> denseTop(int n) {
        return denseMatches().stream().limit(n).map(m -> m.embedded().text()).toList();
    }

    private static List<EmbeddingMatch<TextSegment>> denseMatches() {
        DenseIndex index = DenseIndex.builder().embeddingModel(EmbeddingHolder.MODEL).showProgress(false).build();
        index.sync(new ArrayList<>(CorpusLoader.builtIn().passages()));
        return index.search(QUESTION, 150);
    }

    private static final class EmbeddingHolder {
        static final AllMiniLmL6V2EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }
}
