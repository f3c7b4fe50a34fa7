package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchSchedulerTest {

    private static final BatchPlanner PLANNER = new BatchPlanner(32, 8192, 0.1);

    @ParameterizedTest(name = "merge requests: {0}")
    @ValueSource(booleans = {false, true})
    void concurrent_calls_through_a_real_model_get_exactly_their_sequential_outputs_in_order(boolean merge) throws Exception {
        ModelDirectory directory = ModelDirectory.of(TestModels.resourceModel("tiny-ce"));
        Random random = new Random(7);
        List<List<EncodedInput>> calls = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            List<EncodedInput> rows = new ArrayList<>();
            for (int r = 0; r < 1 + random.nextInt(12); r++) {
                long[] ids = new long[2 + random.nextInt(40)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = 5 + random.nextInt(200);
                }
                rows.add(EncodedInput.of(ids));
            }
            calls.add(rows);
        }
        try (InferenceEngine engine = InferenceEngines.open(directory,
                new EngineOptions(EngineKind.ONNX, Device.cpu(), 1, null, null, 2));
             // the library's padding bound for this engine: with fused attention, unpadded batches only
             BatchScheduler scheduler = new BatchScheduler(engine, new BatchPlanner(32, 8192,
                     BatchPlanner.defaultMaxPaddingRatio(engine)), TokenBatch::of, 2, merge)) {
            List<float[]> alone = new ArrayList<>();
            for (List<EncodedInput> rows : calls) {
                float[] out = new float[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    out[r] = engine.run(TokenBatch.of(List.of(rows.get(r)))).data()[0];
                }
                alone.add(out);
            }

            ExecutorService clients = Executors.newFixedThreadPool(6);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (List<EncodedInput> rows : calls) {
                    results.add(clients.submit(() -> outputs(scheduler, rows)));
                }
                for (int c = 0; c < calls.size(); c++) {
                    assertThat(results.get(c).get(60, TimeUnit.SECONDS)).as("call %d", c).containsExactly(alone.get(c));
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void a_lone_call_spreads_its_batches_over_all_workers() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        ScriptedEngine engine = new ScriptedEngine(batch -> {
            bothRunning.countDown();
            if (!bothRunning.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only one batch ran at a time");
            }
        });
        try (BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 2, false)) {
            List<EncodedInput> rows = rows(100, 8, 50); // all the same length: one batch but for the fair share

            assertThat(outputs(scheduler, rows)).containsExactly(ids(rows));
            // each batch takes at most its share of what is queued per worker: 8 / 2, then 4 / 2, ...
            assertThat(engine.batchSizes).containsExactlyInAnyOrder(4, 2, 1, 1);
        }
    }

    @Test
    void rows_of_calls_queued_together_share_batches_only_when_merging() throws Exception {
        for (boolean merge : new boolean[] {false, true}) {
            CountDownLatch release = new CountDownLatch(1);
            ScriptedEngine engine = new ScriptedEngine(batch -> release.await(10, TimeUnit.SECONDS));
            try (BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 1, merge)) {
                ExecutorService clients = Executors.newFixedThreadPool(3);
                try {
                    Future<float[]> first = clients.submit(() -> outputs(scheduler, rows(1, 1, 30)));
                    awaitBatches(engine, 1); // the worker is busy with the first call
                    List<EncodedInput> a = rows(100, 3, 50);
                    List<EncodedInput> b = rows(200, 3, 48);
                    Future<float[]> callA = clients.submit(() -> outputs(scheduler, a));
                    awaitQueued(scheduler, 3);
                    Future<float[]> callB = clients.submit(() -> outputs(scheduler, b));
                    awaitQueued(scheduler, 6);
                    release.countDown();

                    assertThat(callA.get(10, TimeUnit.SECONDS)).containsExactly(ids(a));
                    assertThat(callB.get(10, TimeUnit.SECONDS)).containsExactly(ids(b));
                    first.get(10, TimeUnit.SECONDS);
                    assertThat(engine.batchSizes).as("merge %s", merge).containsExactly(merge ? new Integer[] {1, 6} : new Integer[] {1, 3, 3});
                } finally {
                    clients.shutdownNow();
                }
            }
        }
    }

    @Test
    void a_cancelled_call_does_not_lose_or_reorder_the_rows_of_a_call_sharing_its_batch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch releaseShared = new CountDownLatch(1);
        AtomicBoolean sharedBatchInterrupted = new AtomicBoolean();
        ScriptedEngine engine = new ScriptedEngine(batch -> {
            if (batch.inputIds()[0] == 1) {
                release.await(10, TimeUnit.SECONDS);
            } else if (batch.inputIds()[0] == 100) { // the batch the two calls share
                while (!releaseShared.await(5, TimeUnit.MILLISECONDS)) {
                    sharedBatchInterrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                }
            }
        });
        try (BatchScheduler scheduler = new BatchScheduler(engine, new BatchPlanner(8, 8192, 0.1), TokenBatch::of, 1, true)) {
            ExecutorService clients = Executors.newFixedThreadPool(3);
            try {
                Future<float[]> first = clients.submit(() -> outputs(scheduler, rows(1, 1, 30)));
                awaitBatches(engine, 1);
                List<EncodedInput> cancelled = rows(100, 6, 50);
                List<EncodedInput> kept = rows(200, 6, 50);
                Thread[] cancelledThread = new Thread[1];
                Future<float[]> victim = clients.submit(() -> {
                    cancelledThread[0] = Thread.currentThread();
                    return outputs(scheduler, cancelled);
                });
                awaitQueued(scheduler, 6);
                Future<float[]> survivor = clients.submit(() -> outputs(scheduler, kept));
                awaitQueued(scheduler, 12);
                release.countDown();
                awaitBatches(engine, 2); // 8 rows: the cancelled call's 6 (it is older) and 2 of the other's
                cancelledThread[0].interrupt();
                Thread.sleep(100);

                assertThat(victim.isDone()).as("a call returns only once its rows no longer run").isFalse();
                releaseShared.countDown();
                assertThatThrownBy(() -> victim.get(10, TimeUnit.SECONDS)).cause()
                        .isInstanceOf(InferenceCancelledException.class).hasMessageContaining("thread interrupted");
                assertThat(survivor.get(10, TimeUnit.SECONDS)).containsExactly(ids(kept));
                assertThat(sharedBatchInterrupted).as("a batch holding another call's rows is not terminated").isFalse();
                assertThat(engine.batchSizes).containsExactly(1, 8, 4);
                first.get(10, TimeUnit.SECONDS);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void interrupting_a_caller_stops_its_running_batch_and_returns_only_after_the_batch_ended() throws Exception {
        AtomicBoolean batchEnded = new AtomicBoolean();
        ScriptedEngine engine = new ScriptedEngine(batch -> {
            try {
                while (!Thread.currentThread().isInterrupted()) { // as ONNX Runtime's terminate flag would
                    Thread.sleep(5);
                }
                throw new IllegalStateException("terminated");
            } catch (InterruptedException e) {
                throw new IllegalStateException("terminated", e);
            } finally {
                long windDown = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50); // a run takes a while to stop
                while (System.nanoTime() < windDown) {
                    Thread.onSpinWait();
                }
                batchEnded.set(true);
            }
        });
        try (BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 1, false)) {
            Thread[] caller = new Thread[1];
            CompletableFuture<float[]> call = CompletableFuture.supplyAsync(() -> {
                caller[0] = Thread.currentThread();
                return outputs(scheduler, rows(1, 4, 20));
            }, command -> new Thread(command, "caller").start());
            awaitBatches(engine, 1);
            caller[0].interrupt();

            assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InferenceCancelledException.class).hasMessageContaining("thread interrupted");
            assertThat(batchEnded).as("the call returned while its batch still ran").isTrue();

            // the worker's interrupt does not leak into the next call
            engine.behaviour = batch -> { };
            assertThat(outputs(scheduler, rows(7, 2, 10))).containsExactly(7, 8);
        }
    }

    @Test
    void close_fails_queued_calls_lets_running_batches_finish_and_refuses_new_calls() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedEngine engine = new ScriptedEngine(batch -> release.await(10, TimeUnit.SECONDS));
        BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 1, false);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<EncodedInput> runningRows = rows(1, 2, 30);
            Future<float[]> running = clients.submit(() -> outputs(scheduler, runningRows));
            awaitBatches(engine, 1);
            Future<float[]> queued = clients.submit(() -> outputs(scheduler, rows(50, 2, 30)));
            awaitQueued(scheduler, 2);
            Future<?> closing = clients.submit(scheduler::close);

            assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(InferenceCancelledException.class)
                    .hasMessageContaining("closed while this call was queued");
            assertThat(closing.isDone()).as("close waits for the running batch").isFalse();
            release.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS)).containsExactly(ids(runningRows));
            closing.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> outputs(scheduler, rows(1, 1, 5))).isInstanceOf(InferenceCancelledException.class)
                    .hasMessageContaining("closed");
        } finally {
            clients.shutdownNow();
            scheduler.close();
        }
    }

    @Test
    void an_engine_failure_reaches_every_call_in_the_batch_and_later_calls_still_run() throws Exception {
        ScriptedEngine engine = new ScriptedEngine(batch -> {
            throw new IllegalStateException("model crashed");
        });
        try (BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 2, false)) {
            assertThatThrownBy(() -> outputs(scheduler, rows(1, 5, 20))).hasMessage("model crashed");
            engine.behaviour = batch -> { };
            assertThat(outputs(scheduler, rows(3, 2, 20))).containsExactly(3, 4);
        }
    }

    @Test
    void a_failing_consumer_fails_only_its_own_call() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(new ScriptedEngine(batch -> { }), PLANNER, TokenBatch::of, 2, true)) {
            assertThatThrownBy(() -> scheduler.run(rows(1, 5, 20), (input, batch, row, output) -> {
                throw new IllegalArgumentException("bad output");
            })).hasMessage("bad output");
            assertThat(outputs(scheduler, rows(10, 3, 20))).containsExactly(10, 11, 12);
        }
    }

    @Test
    void reports_batches_and_real_and_padded_tokens_of_the_call() {
        try (BatchScheduler scheduler = new BatchScheduler(new ScriptedEngine(batch -> { }),
                new BatchPlanner(32, 8192, 0.1), TokenBatch::of, 1, false)) {
            List<EncodedInput> rows = List.of(EncodedInput.of(new long[100]), EncodedInput.of(new long[95]),
                    EncodedInput.of(new long[40]));

            BatchScheduler.Outcome outcome = scheduler.run(rows, (input, batch, row, output) -> { });

            assertThat(outcome.batches()).isEqualTo(2);
            assertThat(outcome.realTokens()).isEqualTo(235);
            assertThat(outcome.paddedTokens()).isEqualTo(2 * 100 + 40);
            assertThat(scheduler.run(List.of(), (input, batch, row, output) -> { }).batches()).isZero();
        }
    }

    @Test
    void a_call_queued_behind_another_reports_how_long_it_waited_for_a_worker() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedEngine engine = new ScriptedEngine(batch -> {
            if (batch.inputIds()[0] == 1) {
                release.await(10, TimeUnit.SECONDS);
            }
        });
        try (BatchScheduler scheduler = new BatchScheduler(engine, PLANNER, TokenBatch::of, 1, false)) {
            ExecutorService clients = Executors.newFixedThreadPool(2);
            try {
                Future<BatchScheduler.Outcome> first = clients.submit(() ->
                        scheduler.run(rows(1, 1, 10), (input, batch, row, output) -> { }));
                awaitBatches(engine, 1);
                Future<BatchScheduler.Outcome> queued = clients.submit(() ->
                        scheduler.run(rows(50, 2, 10), (input, batch, row, output) -> { }));
                awaitQueued(scheduler, 2);
                Thread.sleep(100);
                release.countDown();

                assertThat(queued.get(10, TimeUnit.SECONDS).queueNanos()).as("waited at least 100 ms for the worker")
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
                assertThat(first.get(10, TimeUnit.SECONDS).queueNanos()).as("the first call found the worker idle")
                        .isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /** {@code count} rows of {@code length} tokens whose first token ids are first, first + 1, ... */
    private static List<EncodedInput> rows(int first, int count, int length) {
        List<EncodedInput> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long[] ids = new long[length];
            ids[0] = first + i;
            rows.add(EncodedInput.of(ids));
        }
        return rows;
    }

    private static float[] ids(List<EncodedInput> rows) {
        float[] ids = new float[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i).inputIds()[0];
        }
        return ids;
    }

    private static float[] outputs(BatchScheduler scheduler, List<EncodedInput> rows) {
        float[] out = new float[rows.size()];
        AtomicInteger seen = new AtomicInteger();
        scheduler.run(rows, (input, batch, row, output) -> {
            out[input] = output.data()[row];
            seen.incrementAndGet();
        });
        assertThat(seen).hasValue(rows.size());
        return out;
    }

    private static void awaitBatches(ScriptedEngine engine, int started) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.batchSizes.size() < started) {
            assertThat(System.nanoTime()).as("batches started in time").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private static void awaitQueued(BatchScheduler scheduler, int rows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.queuedRows() < rows) {
            assertThat(System.nanoTime()).as("rows queued in time").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** Outputs each row's first token id as its one value, after a scripted behaviour (wait, fail, ...). */
    private static final class ScriptedEngine implements InferenceEngine {

        interface Behaviour {
            void before(TokenBatch batch) throws Exception;
        }

        volatile Behaviour behaviour;
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

        ScriptedEngine(Behaviour behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public OutputTensor run(TokenBatch batch) {
            batchSizes.add(batch.batchSize());
            try {
                behaviour.before(batch);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            float[] out = new float[batch.batchSize()];
            for (int r = 0; r < out.length; r++) {
                out[r] = batch.inputIds()[r * batch.sequenceLength()];
            }
            return new OutputTensor(out, new long[] {out.length, 1});
        }

        @Override
        public void cancelRuns() {
        }

        @Override
        public List<String> inputNames() {
            return List.of("input_ids");
        }

        @Override
        public ModelSignature signature() {
            throw new UnsupportedOperationException("not needed by BatchScheduler");
        }

        @Override
        public String description() {
            return "scripted engine";
        }

        @Override
        public Device device() {
            return Device.cpu();
        }

        @Override
        public void close() {
        }
    }
}
