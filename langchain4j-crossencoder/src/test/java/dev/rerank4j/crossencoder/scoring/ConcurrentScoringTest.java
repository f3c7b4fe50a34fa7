package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcurrentScoringTest {

    @ParameterizedTest(name = "merge concurrent requests: {0}")
    @ValueSource(booleans = {false, true})
    void eight_threads_on_overlapping_requests_give_the_sequential_scores(boolean merge) throws Exception {
        List<String> queries = List.of("vitamin d bone", "smoking lung cancer", "statins cholesterol", "aspirin");
        List<TextSegment> pool = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pool.add(TextSegment.from("passage number " + i + " about " + queries.get(i % queries.size()) + " ".repeat(i % 5) + "x".repeat(i)));
        }
        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).batchSize(5).mergeConcurrentRequests(merge).build()) {
            List<List<TextSegment>> requests = new ArrayList<>();
            for (int r = 0; r < 32; r++) {
                requests.add(pool.subList(r % 8, r % 8 + 12)); // overlapping windows
            }
            List<List<Double>> sequential = new ArrayList<>();
            for (int r = 0; r < requests.size(); r++) {
                sequential.add(scorer.scoreAll(requests.get(r), queries.get(r % queries.size())).content());
            }

            ExecutorService pool8 = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<Double>>> futures = new ArrayList<>();
                for (int r = 0; r < requests.size(); r++) {
                    int request = r;
                    futures.add(pool8.submit(() -> scorer.scoreAll(requests.get(request), queries.get(request % queries.size())).content()));
                }
                for (int r = 0; r < requests.size(); r++) {
                    assertThat(futures.get(r).get(60, TimeUnit.SECONDS)).as("request %d", r).isEqualTo(sequential.get(r));
                }
            } finally {
                pool8.shutdownNow();
            }
        }
    }

    @Test
    void close_while_calls_are_queued_lets_them_finish_then_refuses_new_calls() throws Exception {
        List<TextSegment> passages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            passages.add(TextSegment.from("passage " + i + " " + "word ".repeat(20 + 7 * i)));
        }
        CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).batchSize(2).maxConcurrentRuns(1).build();
        List<Double> expected = scorer.scoreAll(passages, "query").content();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Double>>> calls = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                calls.add(clients.submit(() -> scorer.scoreAll(passages, "query").content()));
            }
            Thread.sleep(20); // some calls run, the others queue behind them
            scorer.close();

            for (Future<List<Double>> call : calls) {
                assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
            }
            assertThatThrownBy(() -> scorer.scoreAll(passages, "query")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        } finally {
            clients.shutdownNow();
        }
    }
}
