package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedEngineTest {

    /** An engine whose runs block until released: what a long batch looks like to the next caller. */
    static final class HeldEngine implements InferenceEngine {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public OutputTensor run(TokenBatch batch) {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new OutputTensor(new float[]{1f}, new long[]{1, 1});
        }

        @Override
        public List<String> inputNames() {
            return List.of("input_ids");
        }

        @Override
        public ModelSignature signature() {
            throw new UnsupportedOperationException("not needed by BoundedEngine");
        }

        @Override
        public String description() {
            return "held";
        }

        @Override
        public Device device() {
            return Device.cpu();
        }

        @Override
        public void cancelRuns() {
            release.countDown();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void a_run_waiting_for_the_only_slot_reports_its_queue_time() throws Exception {
        HeldEngine held = new HeldEngine();
        BoundedEngine engine = new BoundedEngine(held, 1);
        TokenBatch batch = TokenBatch.of(List.of(EncodedInput.of(new long[]{101, 102})));
        CompletableFuture<BoundedEngine.TimedRun> first = CompletableFuture.supplyAsync(() -> engine.runTimed(batch));
        assertThat(held.running.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<BoundedEngine.TimedRun> second = new CompletableFuture<>();
        Thread waiter = new Thread(() -> second.complete(engine.runTimed(batch)), "second-run");
        waiter.start();
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        held.release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(second.get(10, TimeUnit.SECONDS).queueNanos()).as("parked on the slot for at least 100 ms")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }
}
