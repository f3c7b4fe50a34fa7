package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Lets at most N model runs execute at once and queues the rest in arrival order. Each run already uses the
 * runtime's intra-op threads; more simultaneous runs than cores / threads-per-run only add contention and
 * cache thrashing, so concurrent requests share the cores instead of oversubscribing them.
 */
public final class BoundedEngine implements InferenceEngine {

    private final InferenceEngine delegate;
    private final Semaphore permits;
    private final int maxConcurrentRuns;

    public BoundedEngine(InferenceEngine delegate, int maxConcurrentRuns) {
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("maxConcurrentRuns must be >= 1, was " + maxConcurrentRuns);
        }
        this.delegate = delegate;
        this.maxConcurrentRuns = maxConcurrentRuns;
        this.permits = new Semaphore(maxConcurrentRuns, true);
    }

    /** Runs that fit the machine: cores divided by the threads each run uses (all cores when 0). */
    public static int defaultConcurrency(int intraOpThreads) {
        int cores = Runtime.getRuntime().availableProcessors();
        return intraOpThreads <= 0 ? 1 : Math.max(1, cores / intraOpThreads);
    }

    @Override
    public OutputTensor run(TokenBatch batch) {
        return runTimed(batch).output();
    }

    /** Runs the batch and says how long it waited for a run slot. */
    public TimedRun runTimed(TokenBatch batch) {
        long start = System.nanoTime();
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceCancelledException("Inference cancelled: thread interrupted while waiting to run the model ("
                    + description() + ")", e);
        }
        long waited = System.nanoTime() - start;
        try {
            return new TimedRun(delegate.run(batch), waited);
        } finally {
            permits.release();
        }
    }

    /** A model output and the time its batch queued for a run slot. */
    public record TimedRun(OutputTensor output, long queueNanos) {
    }

    public int maxConcurrentRuns() {
        return maxConcurrentRuns;
    }

    @Override
    public void cancelRuns() {
        delegate.cancelRuns();
    }

    @Override
    public List<String> inputNames() {
        return delegate.inputNames();
    }

    @Override
    public ModelSignature signature() {
        return delegate.signature();
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public Device device() {
        return delegate.device();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
