package dev.rerank4j.examples.chat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingAndIngestTest {

    @TempDir
    Path tempDir;

    /** Streams a canned answer in three pieces and keeps the requests. */
    static final class ScriptedStreamingModel implements StreamingChatModel {
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            requests.add(request);
            for (String piece : List.of("Late ", "interaction ", "[colbert#1].")) {
                handler.onPartialResponse(piece);
            }
            handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("Late interaction [colbert#1].")).build());
        }
    }

    @Test
    void streams_the_answer_and_then_lists_the_sources_and_timings() {
        ScriptedStreamingModel streaming = new ScriptedStreamingModel();
        ChatModel unused = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                throw new AssertionError("the blocking model must not be used when streaming is available");
            }
        };
        BotRun.Result run = BotRun.run(BotRun.options(tempDir), "what is late interaction?\n/quit\n",
                new ChatBackend(unused, streaming, "scripted streaming"));

        assertThat(streaming.requests).hasSize(1);
        String prompt = ((UserMessage) streaming.requests.get(0).messages().get(streaming.requests.get(0).messages().size() - 1)).singleText();
        assertThat(run.output()).contains("assistant> Late interaction [colbert#1].")
                .contains("Sources:").contains("[8] ").containsPattern("\\| generate \\d+ ms");
        // The sources listed are the passages of the prompt.
        for (String line : run.output().lines().filter(l -> l.matches("\\s+\\[\\d\\] .*")).toList()) {
            String id = line.strip().split("\\s+")[1];
            assertThat(prompt).contains("id: " + id);
        }
    }

    @Test
    void restarting_on_a_folder_re_embeds_only_the_changed_document() throws IOException {
        Path docs = Files.createDirectories(tempDir.resolve("docs"));
        Files.writeString(docs.resolve("a.md"), "# A\n\nAlpha document about rerankers in Java applications.");
        Files.writeString(docs.resolve("b.txt"), "Beta document about embeddings and vector stores.");
        Files.writeString(docs.resolve("c.html"), "<html><title>C</title><body><p>Gamma page about ColBERT.</p></body></html>");
        // Dense order (the real all-MiniLM embeddings), so the changed text decides the top hit.
        ChatOptions options = BotRun.options(tempDir).corpus(docs).reranker("none");

        BotRun.Result first = BotRun.run(options, "/quit\n");
        Files.writeString(docs.resolve("b.txt"), "Beta document about embeddings, vector stores and HNSW graphs.");
        Files.delete(docs.resolve("c.html"));
        BotRun.Result second = BotRun.run(options, "what are HNSW graphs?\n/quit\n");

        assertThat(first.output()).contains("3 documents, 3 passages (embedded 3 new, 0 changed, removed 0, unchanged 0)");
        assertThat(second.output()).contains("2 documents, 2 passages (embedded 0 new, 1 changed, removed 1, unchanged 1)");
        assertThat(second.output()).containsPattern("(?m)^ 1\\. b\\.txt#1 ").contains("HNSW graphs.").doesNotContain("c.html");
    }

    @Test
    void ingests_a_beir_corpus_given_as_folder() throws IOException {
        Path beir = Files.createDirectories(tempDir.resolve("beir"));
        Files.writeString(beir.resolve("corpus.jsonl"), """
                {"_id": "doc-7", "title": "Statins", "text": "Statins lower LDL cholesterol in adults."}
                {"_id": "doc-8", "title": "Vitamin D", "text": "Vitamin D supplements and bone density in the elderly."}
                """);
        BotRun.Result run = BotRun.run(BotRun.options(tempDir).corpus(beir), "do statins lower cholesterol?\n/quit\n");

        assertThat(run.output()).contains("2 documents, 2 passages").containsPattern("(?m)^ 1\\. doc-7  \"Statins\"  score ");
    }
}
