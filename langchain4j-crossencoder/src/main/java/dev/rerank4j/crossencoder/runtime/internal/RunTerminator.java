package dev.rerank4j.crossencoder.runtime.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Turns a Java interrupt into ONNX Runtime's terminate flag. A thread blocked in native {@code session.run} does not
 * see {@link Thread#interrupt()}, so a cancelled rerank would otherwise keep the cores busy until its batch ends; a
 * daemon watcher checks the running threads every few milliseconds and terminates the runs of interrupted ones.
 */
final class RunTerminator {

    private static final long POLL_MILLIS = 5;
    private static final ConcurrentHashMap<Thread, OrtSession.RunOptions> RUNNING = new ConcurrentHashMap<>();
    private static volatile ScheduledExecutorService watcher;

    private RunTerminator() {
    }

    static void register(OrtSession.RunOptions options) {
        RUNNING.put(Thread.currentThread(), options);
        startWatcher();
    }

    /** Must be called before the RunOptions are closed: the watcher never touches an unregistered one. */
    static void unregister() {
        RUNNING.remove(Thread.currentThread());
    }

    private static void startWatcher() {
        if (watcher == null) {
            synchronized (RunTerminator.class) {
                if (watcher == null) {
                    ScheduledExecutorService service = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread thread = new Thread(r, "rerank4j-run-terminator");
                        thread.setDaemon(true);
                        return thread;
                    });
                    service.scheduleWithFixedDelay(RunTerminator::terminateInterrupted, POLL_MILLIS, POLL_MILLIS,
                            TimeUnit.MILLISECONDS);
                    watcher = service;
                }
            }
        }
    }

    private static void terminateInterrupted() {
        for (Thread thread : RUNNING.keySet()) {
            if (thread.isInterrupted()) {
                // computeIfPresent is atomic with unregister's remove: the options are still open here
                RUNNING.computeIfPresent(thread, (t, options) -> {
                    try {
                        options.setTerminate(true);
                    } catch (OrtException ignored) {
                        // the run ends normally instead
                    }
                    return options;
                });
            }
        }
    }
}
