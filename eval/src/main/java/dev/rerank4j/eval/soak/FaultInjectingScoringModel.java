package dev.rerank4j.eval.soak;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scorer in front of the real one that fails on purpose: a share of calls throws, another share stalls (sleeps,
 * interruptibly, past the cascade's deadline) before scoring. What a model server under trouble looks like to the
 * cascade; the soak counts that every such request still returns, in first-stage order.
 */
public final class FaultInjectingScoringModel implements ScoringModel {

    /** What a stalled call throws when the cascade cancels it. */
    public static final class InjectedFault extends RuntimeException {
        InjectedFault(String message) {
            super(message);
        }
    }

    private final ScoringModel delegate;
    private final double failRate;
    private final double stallRate;
    private final long stallMillis;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private volatile boolean enabled = true;

    public FaultInjectingScoringModel(ScoringModel delegate, double failRate, double stallRate, long stallMillis) {
        if (!(failRate >= 0 && failRate <= 1) || !(stallRate >= 0 && stallRate <= 1)) {
            throw new IllegalArgumentException("fail and stall rates must be in [0, 1]");
        }
        this.delegate = delegate;
        this.failRate = failRate;
        this.stallRate = stallRate;
        this.stallMillis = stallMillis;
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        if (enabled) {
            double draw = ThreadLocalRandom.current().nextDouble();
            if (draw < failRate) {
                failures.incrementAndGet();
                throw new InjectedFault("injected scorer failure");
            }
            if (draw < failRate + stallRate) {
                stalls.incrementAndGet();
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InjectedFault("injected stall, cancelled");
                }
            }
        }
        return delegate.scoreAll(segments, query);
    }

    /** Turns injection on or off (e.g. off for a final clean phase). */
    public void enabled(boolean enabled) {
        this.enabled = enabled;
    }

    public long failures() {
        return failures.get();
    }

    public long stalls() {
        return stalls.get();
    }
}
