package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The cascade over the real tiny cross-encoder (ONNX Runtime) and the real score cache. */
class CascadeWithCrossEncoderTest {

    private static CrossEncoderScoringModel crossEncoder;

    @BeforeAll
    static void load() {
        // several native runs at once (one intra-op thread each), so the 8-thread test runs them concurrently
        crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(TestModels.resourceModel("tiny-ce"))
                .engine(EngineKind.ONNX).intraOpThreads(1).maxConcurrentRuns(4).build();
    }

    @AfterAll
    static void close() {
        crossEncoder.close();
    }

    private static final List<String> POOL = IntStream.range(0, 60)
            .mapToObj(i -> "passage number " + i + " talks about " + (i % 7 == 0 ? "cats and dogs" : "topic " + i * 13))
            .toList();

    /** Overlapping first-stage lists: request r takes 40 passages of the pool, starting at 2r, wrapping. */
    private static List<Content> request(int r) {
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            contents.add(Content.from(TextSegment.from(POOL.get((2 * r + i) % POOL.size())),
                    Map.of(ContentMetadata.SCORE, 1.0 - i / 100.0, ContentMetadata.EMBEDDING_ID, "e" + i)));
        }
        return contents;
    }

    private static String query(int r) {
        return "query " + (r % 5) + " about cats";
    }

    private static List<String> texts(List<Content> contents) {
        return contents.stream().map(c -> c.textSegment().text()).toList();
    }

    @Test
    void top_k_are_the_top_depth_candidates_ordered_by_the_models_own_scores() {
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(crossEncoder).build();
        List<Content> candidates = request(3);

        List<Content> result = aggregator.rerank(query(3), candidates);

        List<TextSegment> top30 = candidates.subList(0, 30).stream().map(Content::textSegment).toList();
        List<Double> direct = crossEncoder.scoreAll(top30, query(3)).content();
        List<Integer> order = IntStream.range(0, 30).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> direct.get(i)).reversed()).limit(8).toList();
        assertThat(texts(result)).containsExactlyElementsOf(order.stream().map(i -> top30.get(i).text()).toList());
        for (int k = 0; k < 8; k++) {
            assertThat((Double) result.get(k).metadata().get(ContentMetadata.RERANKED_SCORE))
                    .isEqualTo(direct.get(order.get(k)));
        }
    }

    @Test
    void listener_reports_depth_batches_time_split_and_cache_hits() {
        CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
        List<RerankEvent> events = new CopyOnWriteArrayList<>();
        CascadeContentAggregator aggregator = CascadeContentAggregator.builder().scoringModel(cache)
                .rerankDepth(20).listener(events::add).build();

        aggregator.aggregate(Map.of(Query.from(query(1)), List.of(request(1))));
        aggregator.aggregate(Map.of(Query.from(query(1)), List.of(request(1))));

        RerankEvent cold = events.get(0);
        assertThat(cold.candidates()).isEqualTo(40);
        assertThat(cold.depthChosen()).isEqualTo(20);
        assertThat(cold.cacheHits()).isZero();
        assertThat(cold.batches()).isPositive();
        assertThat(cold.tokenizeNanos()).isPositive();
        assertThat(cold.inferNanos()).isPositive();
        assertThat(cold.totalNanos()).isGreaterThanOrEqualTo(cold.tokenizeNanos() + cold.inferNanos());
        assertThat(cold.fallback()).isEmpty();
        RerankEvent warm = events.get(1);
        assertThat(warm.cacheHits()).isEqualTo(20);
        assertThat(warm.batches()).isZero();
    }

    @Test
    void eight_threads_on_overlapping_requests_give_the_sequential_results() throws Exception {
        int requests = 24;
        CascadeContentAggregator sequential = CascadeContentAggregator.builder().scoringModel(crossEncoder).build();
        List<List<String>> expected = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            expected.add(texts(sequential.rerank(query(r), request(r))));
        }

        CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
        CascadeContentAggregator shared = CascadeContentAggregator.builder().scoringModel(cache)
                .deadline(Duration.ofSeconds(30)).failOpen(false).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<List<String>>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                List<Integer> order = new ArrayList<>(IntStream.range(0, requests).boxed().toList());
                Collections.shuffle(order, new Random(t));
                futures.add(pool.submit(() -> {
                    List<List<String>> results = new ArrayList<>(Collections.nCopies(requests, null));
                    for (int r : order) {
                        results.set(r, texts(shared.rerank(query(r), request(r))));
                    }
                    return results;
                }));
            }
            for (Future<List<List<String>>> future : futures) {
                assertThat(future.get()).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.stats().hitCount()).isPositive();
    }
}
