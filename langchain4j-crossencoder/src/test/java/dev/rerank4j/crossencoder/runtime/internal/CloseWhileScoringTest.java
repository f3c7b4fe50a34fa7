package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.Await;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code close()} while threads score: the running ONNX Runtime batches are terminated and a queued call never
 * starts, all of them fail with {@link InferenceCancelledException}, the native session is freed only after they
 * left (no crash), and later calls get {@link IllegalStateException}. In this package to see when a call is inside
 * its native run ({@link RunTerminator#isRunning}).
 */
class CloseWhileScoringTest {

    @Test
    void close_cancels_running_and_queued_calls_then_refuses_new_ones(@TempDir Path dir) throws Exception {
        CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder()
                .modelDirectory(TestModels.slowCrossEncoder(dir.resolve("slow-ce")))
                .intraOpThreads(1).maxConcurrentRuns(2)
                .batchSize(512).maxPaddingRatio(1.0) // each call is one batch: only the terminate flag can stop it
                .build();
        List<String> passages = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            passages.add("passage " + i);
        }
        List<Thread> threads = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "scoring-" + threads.size());
            threads.add(thread);
            return thread;
        });
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> scorer.scorePassages("query", passages)));
            }
            // two calls inside native runs, the third waiting for a run permit
            Await.until("two batches run in ONNX Runtime",
                    () -> threads.stream().filter(RunTerminator::isRunning).count() == 2, Duration.ofSeconds(60));

            scorer.close();

            for (Future<?> call : calls) {
                assertThatThrownBy(() -> call.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(InferenceCancelledException.class).hasMessageContaining("closed");
            }
            assertThatThrownBy(() -> scorer.scorePassages("query", List.of("later")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("CrossEncoderScoringModel is closed");
            scorer.close(); // idempotent
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }
}
