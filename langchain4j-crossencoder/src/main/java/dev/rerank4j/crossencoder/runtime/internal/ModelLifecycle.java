package dev.rerank4j.crossencoder.runtime.internal;

import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Lets many threads share one engine and tokenizer, and one {@link #close()} free them without freeing a native
 * session or tokenizer that a call still uses (that would crash the JVM). Shared by the cross-encoder and ColBERT.
 *
 * <ul>
 *   <li>A call ({@link #call}) started after {@code close()} throws {@link IllegalStateException}.</li>
 *   <li>{@code close()} during calls cancels them: a running ONNX Runtime batch is terminated, no further batch
 *   starts ({@link #run} throws {@link InferenceCancelledException}); then it waits for the calls to leave and
 *   frees the native resources.</li>
 * </ul>
 */
public final class ModelLifecycle {

    private final String owner;
    private final InferenceEngine engine;
    private final TextTokenizer tokenizer;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /**
     * @param owner     the class users see, for messages (e.g. {@code CrossEncoderScoringModel})
     * @param tokenizer closed after the engine
     */
    public ModelLifecycle(String owner, InferenceEngine engine, TextTokenizer tokenizer) {
        this.owner = owner;
        this.engine = engine;
        this.tokenizer = tokenizer;
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

    /** Runs one batch of a call in progress; {@link InferenceCancelledException} once {@link #close()} began. */
    public OutputTensor run(TokenBatch batch) {
        return runTimed(batch).output();
    }

    /** {@link #run}, saying how long the batch waited for a run slot (0 when the engine does not queue runs). */
    public BoundedEngine.TimedRun runTimed(TokenBatch batch) {
        if (closed) {
            throw new InferenceCancelledException(owner + " was closed while this call was running");
        }
        return engine instanceof BoundedEngine bounded ? bounded.runTimed(batch)
                : new BoundedEngine.TimedRun(engine.run(batch), 0);
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
        lock.writeLock().lock();
        try {
            engine.close();
            tokenizer.close();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
