package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * Runs the batches of every call on one engine with a few worker threads, each running one batch at a time. On a
 * CPU the default is one single-threaded run per core: ONNX Runtime spreads one operator of these small models over
 * several cores poorly, while independent runs scale almost linearly (docs/performance.md). A call's batches spread
 * over the workers, so one request alone keeps every core busy, and concurrent calls share the workers in arrival
 * order (the oldest call's batches first) instead of queueing whole requests behind each other.
 *
 * <p>With {@code mergeRequests}, rows of calls that wait at the same time also join the same length-sorted,
 * padding-bounded batches (continuous batching, as TEI does). Either way each call gets exactly its own rows'
 * outputs: the consumer sees each of its input rows once, on the calling thread, with the batch and row that hold
 * it. ONNX Runtime's fp32 kernels give a row the same bits whatever else shares its batch; dynamically quantised
 * (int8) models do not, which is why merging is off by default.
 *
 * <p>Interrupting a caller cancels its call: its queued rows are dropped, a running batch that holds only cancelled
 * rows is terminated (the worker's interrupt becomes ONNX Runtime's terminate flag), and the call returns only once
 * no batch with its rows runs any more. So a call that has returned never leaves native work behind, and the owner
 * may close the engine once its calls have returned. {@link #close()} fails queued calls and stops the workers after
 * their current batch; it does not close the engine. Thread-safe.
 */
public final class BatchScheduler implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final InferenceEngine engine;
    private final BatchPlanner planner;
    private final Function<List<EncodedInput>, TokenBatch> batcher;
    private final boolean mergeRequests;
    private final List<Thread> workers = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>(); // calls with unassigned rows, oldest first
    private final Set<Batch> running = new HashSet<>();
    private int unassignedRows;
    private boolean closed;

    /** Receives one input row's output. */
    @FunctionalInterface
    public interface RowConsumer {
        /**
         * @param input  index of the row in the call's input list
         * @param batch  the batch that held it
         * @param row    its row in {@code batch} and {@code output}
         * @param output the engine's output for the whole batch
         */
        void accept(int input, TokenBatch batch, int row, OutputTensor output);
    }

    /**
     * What a call cost.
     *
     * @param batches      batches that held the call's rows
     * @param realTokens   the call's tokens without padding
     * @param paddedTokens the call's rows times the width of their batches
     * @param queueNanos   how long the call waited for a worker to start its first batch (work of earlier calls)
     */
    public record Outcome(int batches, long realTokens, long paddedTokens, long queueNanos) {
    }

    /**
     * @param batcher       pads the rows of one batch (e.g. {@code TokenBatch::of})
     * @param workerCount   batches run at once (each a single engine run)
     * @param mergeRequests let rows of concurrent calls share batches
     */
    public BatchScheduler(InferenceEngine engine, BatchPlanner planner, Function<List<EncodedInput>, TokenBatch> batcher,
                          int workerCount, boolean mergeRequests) {
        ensureGreaterThanZero(workerCount, "workers");
        this.engine = engine;
        this.planner = planner;
        this.batcher = batcher;
        this.mergeRequests = mergeRequests;
        int instance = INSTANCES.incrementAndGet();
        for (int i = 0; i < workerCount; i++) {
            Thread worker = new Thread(this::work, "rerank4j-inference-" + instance + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    public int workers() {
        return workers.size();
    }

    public boolean mergeRequests() {
        return mergeRequests;
    }

    /** Rows waiting for a worker, over all calls (a measure of the queue). */
    public int queuedRows() {
        lock.lock();
        try {
            return unassignedRows;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the rows in batches and hands every row's output to {@code consumer} on this thread, as batches finish.
     *
     * @throws InferenceCancelledException when the scheduler is (or gets) closed, or (interrupt flag kept) when this
     *                                     thread is interrupted; a failure of the engine or of the consumer is rethrown
     *                                     as is
     */
    public Outcome run(List<EncodedInput> rows, RowConsumer consumer) {
        if (rows.isEmpty()) {
            return new Outcome(0, 0, 0, 0);
        }
        Job job = new Job(rows);
        lock.lock();
        try {
            if (closed) {
                throw new InferenceCancelledException("The inference scheduler of " + engine.description() + " was closed");
            }
            waiting.addLast(job);
            unassignedRows += rows.size();
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
        boolean finished = false;
        try {
            int batches = 0;
            long real = 0;
            long padded = 0;
            int delivered = 0;
            while (delivered < rows.size()) {
                Delivery done = nextDelivery(job);
                for (int k = 0; k < done.inputs().length; k++) {
                    consumer.accept(done.inputs()[k], done.batch(), done.batchRows()[k], done.output());
                    real += rows.get(done.inputs()[k]).length();
                }
                batches++;
                padded += (long) done.inputs().length * done.batch().sequenceLength();
                delivered += done.inputs().length;
            }
            finished = true;
            return new Outcome(batches, real, padded, job.queueNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceCancelledException("Inference on " + engine.description() + " cancelled: thread interrupted", e);
        } finally {
            if (!finished) {
                abandon(job);
            }
        }
    }

    private Delivery nextDelivery(Job job) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (job.failure != null) {
                    throw rethrow(job.failure);
                }
                Delivery done = job.done.pollFirst();
                if (done != null) {
                    return done;
                }
                job.changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(failure);
    }

    /** Drops the call's queued rows, terminates batches that hold only abandoned rows, waits for its running ones. */
    private void abandon(Job job) {
        lock.lock();
        try {
            job.abandoned = true;
            if (waiting.remove(job)) {
                unassignedRows -= job.unassigned;
            }
            for (Batch batch : running) {
                if (batch.holds(job) && batch.onlyAbandonedRows()) {
                    batch.worker.interrupt();
                }
            }
            while (job.running > 0) {
                job.changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (true) {
            Batch batch;
            lock.lock();
            try {
                while ((batch = nextBatch()) == null) {
                    if (closed) {
                        return;
                    }
                    workAvailable.awaitUninterruptibly();
                }
                batch.worker = Thread.currentThread();
                running.add(batch);
                batch.markStarted();
            } finally {
                lock.unlock();
            }
            TokenBatch tokens = null;
            OutputTensor output = null;
            Throwable failure = null;
            try {
                tokens = batcher.apply(batch.rows());
                output = engine.run(tokens);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            finish(batch, tokens, output, failure);
        }
    }

    private void finish(Batch batch, TokenBatch tokens, OutputTensor output, Throwable failure) {
        lock.lock();
        try {
            running.remove(batch);
            batch.worker = null;
            Thread.interrupted(); // an interrupt meant for this batch must not reach the next one
            for (Part part : batch.parts) {
                Job job = part.job;
                job.running--;
                if (!job.abandoned) {
                    if (failure != null) {
                        job.failure = job.failure != null ? job.failure : failure;
                    } else {
                        job.done.addLast(new Delivery(part.inputs, part.batchRows, tokens, output));
                    }
                }
                job.changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next batch: the oldest call's longest unassigned row sets the width; rows of that call (and with merging,
     * of later calls) within the padding bound join it, up to the planner's limits and to a fair share of the
     * queued rows per worker, so that a lone request still spreads over all workers.
     */
    private Batch nextBatch() {
        if (closed) {
            return null;
        }
        Job head;
        while ((head = waiting.peekFirst()) != null && head.unassigned == 0) {
            waiting.pollFirst();
        }
        if (head == null) {
            return null;
        }
        int width = head.lengthAt(head.firstUnassigned());
        int fairShare = (unassignedRows + workers.size() - 1) / workers.size();
        int cap = Math.min(planner.rowsFor(width), Math.max(1, fairShare));
        int minLength = planner.minLengthFor(width);
        Batch batch = new Batch();
        head.take(width, minLength, cap, batch);
        if (mergeRequests) {
            for (Job other : waiting) {
                if (batch.rowCount >= cap) {
                    break;
                }
                if (other != head) {
                    other.take(width, minLength, cap - batch.rowCount, batch);
                }
            }
        }
        unassignedRows -= batch.rowCount;
        waiting.removeIf(job -> job.unassigned == 0);
        return batch;
    }

    /** Fails queued calls and stops the workers after their current batch. Idempotent; the engine stays open. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                for (Job job : waiting) {
                    if (job.failure == null) {
                        job.failure = new InferenceCancelledException("The inference scheduler of "
                                + engine.description() + " was closed while this call was queued");
                    }
                    job.changed.signalAll();
                }
                workAvailable.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (Thread worker : workers) {
            if (worker != Thread.currentThread()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One call: its rows longest first, which of them are assigned, and what came back. Guarded by the lock. */
    private final class Job {
        final List<EncodedInput> rows;
        final int[] lengths;
        final int[] order;
        final boolean[] assigned;
        int unassigned;
        int running;
        boolean abandoned;
        Throwable failure;
        final long submittedNanos = System.nanoTime();
        long firstStartNanos;
        boolean started;
        final ArrayDeque<Delivery> done = new ArrayDeque<>();
        final Condition changed = lock.newCondition();

        Job(List<EncodedInput> rows) {
            this.rows = rows;
            this.lengths = rows.stream().mapToInt(EncodedInput::length).toArray();
            this.order = BatchPlanner.longestFirst(lengths);
            this.assigned = new boolean[rows.size()];
            this.unassigned = rows.size();
        }

        long queueNanos() {
            lock.lock();
            try {
                return started ? firstStartNanos - submittedNanos : 0;
            } finally {
                lock.unlock();
            }
        }

        int firstUnassigned() {
            for (int i : order) {
                if (!assigned[i]) {
                    return i;
                }
            }
            throw new IllegalStateException("no unassigned row");
        }

        int lengthAt(int input) {
            return lengths[input];
        }

        /** Adds up to {@code cap} unassigned rows with lengths in [min, width], longest first. */
        void take(int width, int min, int cap, Batch batch) {
            List<Integer> inputs = new ArrayList<>();
            for (int i : order) {
                if (inputs.size() == cap) {
                    break;
                }
                if (assigned[i] || lengths[i] > width) {
                    continue;
                }
                if (lengths[i] < min && !(inputs.isEmpty() && batch.rowCount == 0)) {
                    break; // the seed row itself always goes in, even an empty one
                }
                inputs.add(i);
            }
            if (inputs.isEmpty()) {
                return;
            }
            int[] taken = inputs.stream().mapToInt(Integer::intValue).toArray();
            int[] batchRows = new int[taken.length];
            for (int k = 0; k < taken.length; k++) {
                assigned[taken[k]] = true;
                batchRows[k] = batch.rowCount + k;
            }
            unassigned -= taken.length;
            running++;
            batch.add(new Part(this, taken, batchRows));
        }
    }

    /** The rows one call has in a batch, and where they sit in it. */
    private record Part(Job job, int[] inputs, int[] batchRows) {
    }

    private static final class Batch {
        final List<Part> parts = new ArrayList<>();
        int rowCount;
        Thread worker;

        void add(Part part) {
            parts.add(part);
            rowCount += part.inputs().length;
        }

        List<EncodedInput> rows() {
            List<EncodedInput> rows = new ArrayList<>(rowCount);
            for (Part part : parts) {
                for (int input : part.inputs()) {
                    rows.add(part.job().rows.get(input));
                }
            }
            return rows;
        }

        void markStarted() {
            long now = System.nanoTime();
            for (Part part : parts) {
                if (!part.job().started) {
                    part.job().started = true;
                    part.job().firstStartNanos = now;
                }
            }
        }

        boolean holds(Job job) {
            return parts.stream().anyMatch(part -> part.job() == job);
        }

        boolean onlyAbandonedRows() {
            return parts.stream().allMatch(part -> part.job().abandoned);
        }
    }

    private record Delivery(int[] inputs, int[] batchRows, TokenBatch batch, OutputTensor output) {
    }
}
