package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The cascade and the score cache, unchanged, over a decoder LLM reranker (the tiny causal-LM Qwen3 fixture). */
class CascadeWithDecoderRerankerTest {

    private static CrossEncoderScoringModel reranker;

    @BeforeAll
    static void load() {
        reranker = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.decoderFixture("tiny-qwen3-reranker-causal")).build();
    }

    @AfterAll
    static void close() {
        if (reranker != null) {
            reranker.close();
        }
    }

    private static List<Content> candidates() {
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            contents.add(Content.from(TextSegment.from("passage " + i + " about " + (i % 3 == 0 ? "Beijing" : "topic " + i)),
                    Map.of(ContentMetadata.SCORE, 1.0 - i / 100.0, ContentMetadata.EMBEDDING_ID, "e" + i)));
        }
        return contents;
    }

    @Test
    void keeps_the_top_candidates_by_the_decoders_scores_and_caches_them() {
        CachingScoringModel cache = CachingScoringModel.builder().delegate(reranker).build();
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator cascade = CascadeContentAggregator.builder().scoringModel(cache)
                .rerankDepth(12).maxResults(4).listener(events::add).build();
        String query = "What is the capital of China?";

        List<Content> result = cascade.rerank(query, candidates());

        List<TextSegment> top12 = candidates().subList(0, 12).stream().map(Content::textSegment).toList();
        List<Double> direct = reranker.scoreAll(top12, query).content();
        List<String> expected = IntStream.range(0, 12).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> direct.get(i)).reversed()).limit(4)
                .map(i -> top12.get(i).text()).toList();
        assertThat(result.stream().map(c -> c.textSegment().text()).toList()).containsExactlyElementsOf(expected);

        cascade.aggregate(Map.of(Query.from(query), List.of(candidates())));
        assertThat(events).hasSize(2);
        assertThat(events.get(0).cacheHits()).isZero();
        assertThat(events.get(1).cacheHits()).isEqualTo(12);
        assertThat(events.get(1).batches()).isZero();
        assertThat(cache.modelIdentity()).contains("|prompt=qwen3-reranker");
    }
}
