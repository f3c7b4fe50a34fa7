package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;

import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Lets many threads share one engine and tokenizer, and one {@link #close()} free them without freeing a native
 * session or tokenizer that a call still uses (that would crash the JVM). Shared by the cross-encoder and ColBERT.
 *
 * <ul>
 *   <li>A call ({@link #call}) started after {@code close()} throws {@link IllegalStateException}.</li>
 *   <li>{@code close()} during calls cancels them: a running ONNX Runtime batch is terminated, no further batch
 *   starts and queued ones are dropped ({@link #run} throws {@link InferenceCancelledException}); then it waits for
 *   the calls to leave, stops the scheduler's workers and frees the native resources.</li>
 * </ul>
 */
public final class ModelLifecycle {

    private final String owner;
    private final InferenceEngine engine;
    private final TextTokenizer tokenizer;
    private final BatchScheduler scheduler;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /**
     * @param owner     the class users see, for messages (e.g. {@code CrossEncoderScoringModel})
     * @param tokenizer closed after the engine
     * @param scheduler runs the batches of {@link #run(List, BatchScheduler.RowConsumer)} on the engine
     */
    public ModelLifecycle(String owner, InferenceEngine engine, TextTokenizer tokenizer, BatchScheduler scheduler) {
        this.owner = owner;
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.scheduler = scheduler;
    }

    /** Runs one scoring or encoding call; {@link IllegalStateException} when the model is closed. */
    public <T> T call(Supplier<T> work) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(owner + " is closed");
            }
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs a call's rows in batches on the scheduler's workers, each row's output handed to {@code consumer} on this
     * thread; {@link InferenceCancelledException} once {@link #close()} began.
     */
    public BatchScheduler.Outcome run(List<EncodedInput> rows, BatchScheduler.RowConsumer consumer) {
        if (closed) {
            throw new InferenceCancelledException(owner + " was closed while this call was running");
        }
        return scheduler.run(rows, consumer);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Cancels the calls in flight, waits for them to leave, then frees the engine and the tokenizer. Idempotent. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.cancelRuns();
        scheduler.close(); // fails queued calls; the workers stop once their (terminated) batch returns
        lock.writeLock().lock();
        try {
            engine.close();
            tokenizer.close();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
