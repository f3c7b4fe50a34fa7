package dev.rerank4j.crossencoder.scoring;

import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The scorer shared by eight threads gives every request exactly its sequential scores. */
class ConcurrentScoringTest {

    @Test
    void eight_threads_on_overlapping_requests_give_the_sequential_scores() throws Exception {
        List<String> queries = List.of("vitamin d bone", "smoking lung cancer", "statins cholesterol", "aspirin");
        List<TextSegment> pool = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pool.add(TextSegment.from("passage number " + i + " about " + queries.get(i % queries.size()) + " ".repeat(i % 5) + "x".repeat(i)));
        }
        // four native runs at once, one intra-op thread each: concurrent session.run calls and the per-thread
        // input/output buffers are exercised, not serialised behind one run permit
        try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.resourceModel("tiny-ce")).batchSize(5)
                .intraOpThreads(1).maxConcurrentRuns(4).build()) {
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
}
