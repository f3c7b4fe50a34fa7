package dev.rerank4j.crossencoder.runtime.internal;

import ai.onnxruntime.OrtException;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.testing.Await;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Interrupting a thread stops its ONNX Runtime run part-way (the interrupt becomes ORT's terminate flag) instead of
 * letting the batch finish. Runs on a generated model whose cost grows with the batch (one row is quick, 512 rows
 * take seconds), from test resources only.
 */
class RunCancellationTest {

    @TempDir
    static Path dir;
    private static InferenceEngine engine;

    @BeforeAll
    static void open() {
        ModelDirectory directory = ModelDirectory.of(TestModels.slowCrossEncoder(dir.resolve("slow-ce")));
        engine = InferenceEngines.open(directory, new EngineOptions(EngineKind.ONNX, Device.cpu(), 1, null, null, 2));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static TokenBatch rows(int count) {
        List<EncodedInput> rows = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            rows.add(EncodedInput.of(new long[] {101, 1000 + r, 2000 + r, 102}));
        }
        return TokenBatch.of(rows);
    }

    @Test
    void interrupting_the_caller_terminates_its_running_batch() throws Exception {
        TokenBatch slow = rows(512);
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        CompletableFuture<OutputTensor> result = CompletableFuture.supplyAsync(() -> {
            worker.complete(Thread.currentThread());
            return engine.run(slow);
        }, command -> new Thread(command, "scoring").start());
        Thread thread = worker.get(60, TimeUnit.SECONDS);
        Await.until("the batch runs in ONNX Runtime", () -> RunTerminator.isRunning(thread), Duration.ofSeconds(60));

        thread.interrupt();

        // ORT's own message proves the run was stopped by the terminate flag, not finished
        assertThatThrownBy(() -> result.get(120, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InferenceCancelledException.class).hasMessageContaining("thread interrupted")
                .cause().isInstanceOf(OrtException.class).hasMessageContaining("terminate");
        assertThat(engine.run(rows(1)).data()).as("the engine serves the next caller").hasSize(1);
    }

    @Test
    void the_watcher_polls_only_while_a_run_is_registered_and_watches_the_next_one() throws Exception {
        engine.run(rows(1));
        Await.until("the watcher stops polling once no run is registered", () -> !RunTerminator.isPolling(),
                Duration.ofSeconds(30));

        interrupting_the_caller_terminates_its_running_batch();
    }

    @Test
    void an_interrupted_thread_starts_no_run() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> engine.run(rows(1))).isInstanceOf(InferenceCancelledException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt flag stays set").isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
