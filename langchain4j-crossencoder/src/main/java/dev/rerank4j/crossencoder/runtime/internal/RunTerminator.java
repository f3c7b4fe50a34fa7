package dev.rerank4j.crossencoder.runtime.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Turns a Java interrupt, or an engine's {@link InferenceEngine#cancelRuns()}, into ONNX Runtime's terminate flag.
 * A thread blocked in native {@code session.run} does not see {@link Thread#interrupt()}, so a cancelled rerank
 * would otherwise keep the cores busy until its batch ends; a daemon watcher checks the running threads every few
 * milliseconds and terminates the runs of interrupted ones. It polls only while a run is registered: an idle
 * application is not woken 200 times a second.
 */
final class RunTerminator {

    private static final long POLL_MILLIS = 5;
    private static final ConcurrentHashMap<Thread, Run> RUNNING = new ConcurrentHashMap<>();
    private static volatile ScheduledExecutorService watcher;
    private static final AtomicBoolean POLLING = new AtomicBoolean();

    private record Run(OrtSession.RunOptions options, Object engine) {
    }

    private RunTerminator() {
    }

    /** Registers the calling thread's run of {@code engine}. */
    static void register(OrtSession.RunOptions options, Object engine) {
        RUNNING.put(Thread.currentThread(), new Run(options, engine));
        if (POLLING.compareAndSet(false, true)) {
            watcher().schedule(RunTerminator::poll, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Must be called before the RunOptions are closed: nothing touches an unregistered one. */
    static void unregister() {
        RUNNING.remove(Thread.currentThread());
    }

    /** Whether the thread is inside a registered run (for tests that must act while a run is in progress). */
    static boolean isRunning(Thread thread) {
        return RUNNING.containsKey(thread);
    }

    /** Whether the watcher is polling (it stops once no run is registered). For tests. */
    static boolean isPolling() {
        return POLLING.get();
    }

    /** Terminates every run of this engine now. */
    static void terminateRunsOf(Object engine) {
        terminate(run -> run.engine() == engine);
    }

    private static ScheduledExecutorService watcher() {
        if (watcher == null) {
            synchronized (RunTerminator.class) {
                if (watcher == null) {
                    watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread thread = new Thread(r, "rerank4j-run-terminator");
                        thread.setDaemon(true);
                        return thread;
                    });
                }
            }
        }
        return watcher;
    }

    /** One check, then the next one unless no run is registered. */
    private static void poll() {
        try {
            terminateInterrupted();
        } finally {
            if (RUNNING.isEmpty()) {
                POLLING.set(false);
                // a run registered since the check saw POLLING still set and scheduled nothing: keep polling for it
                if (RUNNING.isEmpty() || !POLLING.compareAndSet(false, true)) {
                    return;
                }
            }
            watcher().schedule(RunTerminator::poll, POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static void terminateInterrupted() {
        for (Thread thread : RUNNING.keySet()) {
            if (thread.isInterrupted()) {
                terminate(thread, run -> true);
            }
        }
    }

    private static void terminate(Predicate<Run> which) {
        for (Thread thread : RUNNING.keySet()) {
            terminate(thread, which);
        }
    }

    private static void terminate(Thread thread, Predicate<Run> which) {
        // computeIfPresent is atomic with unregister's remove: the options are still open here
        RUNNING.computeIfPresent(thread, (t, run) -> {
            if (which.test(run)) {
                try {
                    run.options().setTerminate(true);
                } catch (OrtException ignored) {
                    // the run ends normally instead
                }
            }
            return run;
        });
    }
}
