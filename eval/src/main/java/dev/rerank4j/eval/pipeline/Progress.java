package dev.rerank4j.eval.pipeline;

import org.slf4j.LoggerFactory;

/** The harness's progress: a console bar on stderr when shown, else log lines (e.g. in tests). */
public final class Progress implements AutoCloseable {

    private final dev.rerank4j.crossencoder.runtime.internal.Progress delegate;

    private Progress(dev.rerank4j.crossencoder.runtime.internal.Progress delegate) {
        this.delegate = delegate;
    }

    public static Progress start(String task, long total, boolean show) {
        return new Progress(dev.rerank4j.crossencoder.runtime.internal.Progress.start(task, total, "", 1, show,
                LoggerFactory.getLogger(Progress.class)));
    }

    public void step(long n) {
        delegate.stepBy(n);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
