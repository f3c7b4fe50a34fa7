package dev.rerank4j.crossencoder.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a state another thread reaches (e.g. "is inside a native run"), without assuming how long it takes. */
public final class Await {

    private Await() {
    }

    /** Polls every millisecond; fails after {@code limit}, a bound against hangs, not a timing assertion. */
    public static void until(String what, BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what + " after " + limit);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
