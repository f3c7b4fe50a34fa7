package dev.rerank4j.crossencoder.cache;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A WARN that is written at most once per interval, saying how many were held back since the last one, so a
 * store that fails on every request does not flood the log.
 */
final class IntervalWarning {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAt;
    private final LongAdder heldBack = new LongAdder();
    private final AtomicLong written = new AtomicLong();

    IntervalWarning(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nextAt = new AtomicLong(System.nanoTime());
    }

    void warn(String what, Throwable cause) {
        long now = System.nanoTime();
        long next = nextAt.get();
        if (now - next >= 0 && nextAt.compareAndSet(next, now + intervalNanos)) {
            long more = heldBack.sumThenReset();
            written.incrementAndGet();
            log.warn("{}: {} ({} more like it since the last warning; next one in {} s at the earliest)", what,
                    cause.toString(), more, Duration.ofNanos(intervalNanos).toSeconds());
        } else {
            heldBack.increment();
        }
    }

    /** Warnings written so far (for tests of the throttling). */
    long written() {
        return written.get();
    }
}
