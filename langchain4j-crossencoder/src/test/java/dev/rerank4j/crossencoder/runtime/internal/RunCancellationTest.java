package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Interrupting a thread stops its ONNX Runtime run mid-batch instead of letting the batch finish. */
class RunCancellationTest {

    @Test
    void interrupting_the_caller_terminates_a_running_batch() throws Exception {
        ModelDirectory directory = ModelDirectory.of(TestModels.requireShared("models/minilm-l6-ce"));
        List<EncodedInput> rows = new ArrayList<>();
        for (int r = 0; r < 64; r++) {
            long[] ids = new long[512];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 1000 + (r * 31 + i * 7) % 20000;
            }
            rows.add(EncodedInput.of(ids));
        }
        TokenBatch batch = TokenBatch.of(rows); // several seconds of work on a CPU
        try (InferenceEngine engine = InferenceEngines.open(directory, EngineOptions.defaults())) {
            CountDownLatch started = new CountDownLatch(1);
            Thread[] worker = new Thread[1];
            CompletableFuture<OutputTensor> result = CompletableFuture.supplyAsync(() -> {
                worker[0] = Thread.currentThread();
                started.countDown();
                return engine.run(batch);
            }, command -> new Thread(command, "scoring").start());
            started.await();
            Thread.sleep(100);
            worker[0].interrupt();

            assertThatThrownBy(() -> result.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(ai.onnxruntime.OrtException.class)
                    .hasMessageContaining("cancelled");

            // the engine stays usable for the next caller
            assertThat(engine.run(TokenBatch.of(rows.subList(0, 1))).data()).hasSize(1);
        }
    }
}
