package dev.rerank4j.crossencoder.runtime.internal;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;

/**
 * Progress of a long task (download, embedding, index build). A library prints nothing unless asked: by default
 * progress goes to SLF4J at INFO, at most every {@value #LOG_INTERVAL_MS} ms and once at the end; with
 * {@code console} a progress bar is drawn on stderr (needs the optional {@code me.tongfei:progressbar}).
 */
public abstract class Progress implements AutoCloseable {

    static final long LOG_INTERVAL_MS = 10_000;
    private static final String PROGRESSBAR_CLASS = "me.tongfei.progressbar.ProgressBar";

    /**
     * @param unitName a unit after the numbers, e.g. {@code " docs"} or {@code "MiB"}
     * @param unitSize how many counted items make one unit (e.g. {@code 1 << 20} bytes per MiB)
     * @param console  a console bar instead of log lines
     */
    public static Progress start(String task, long total, String unitName, long unitSize, boolean console, Logger log) {
        if (console) {
            OptionalDependency.require(PROGRESSBAR_CLASS, "me.tongfei:progressbar", "A console progress bar (showProgress)");
            return new ConsoleProgress(task, total, unitName, unitSize);
        }
        return new LoggedProgress(task, total, unitName, unitSize, log);
    }

    public abstract void stepBy(long n);

    public abstract void stepTo(long n);

    @Override
    public abstract void close();

    private static final class ConsoleProgress extends Progress {
        private final ProgressBar bar;

        ConsoleProgress(String task, long total, String unitName, long unitSize) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 0))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(unitName, unitSize).setUpdateIntervalMillis(500)
                    .continuousUpdate().showSpeed().build();
        }

        @Override
        public void stepBy(long n) {
            bar.stepBy(n);
        }

        @Override
        public void stepTo(long n) {
            bar.stepTo(n);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class LoggedProgress extends Progress {
        private final String task;
        private final long total;
        private final String unitName;
        private final long unitSize;
        private final Logger log;
        private final long started = System.nanoTime();
        private long done;
        private long lastLog = System.nanoTime();

        LoggedProgress(String task, long total, String unitName, long unitSize, Logger log) {
            this.task = task;
            this.total = total;
            this.unitName = unitName;
            this.unitSize = Math.max(unitSize, 1);
            this.log = log;
        }

        @Override
        public synchronized void stepBy(long n) {
            stepTo(done + n);
        }

        @Override
        public synchronized void stepTo(long n) {
            done = n;
            long now = System.nanoTime();
            if ((now - lastLog) / 1_000_000 >= LOG_INTERVAL_MS) {
                lastLog = now;
                log.info("{}: {} of {}{}", task, done / unitSize, total >= 0 ? total / unitSize : "?", unitName);
            }
        }

        @Override
        public synchronized void close() {
            log.info("{}: {}{} in {} ms", task, done / unitSize, unitName, (System.nanoTime() - started) / 1_000_000);
        }
    }
}
