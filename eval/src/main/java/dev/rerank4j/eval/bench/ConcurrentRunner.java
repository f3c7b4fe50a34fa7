package dev.rerank4j.eval.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs requests 0..n-1 with a given number of client threads and records each request's latency. */
public final class ConcurrentRunner {

    public record Result(double[] latenciesMs, double wallSeconds) {
    }

    private ConcurrentRunner() {
    }

    public static Result run(int requests, int concurrency, IntConsumer request) throws Exception {
        double[] latencies = new double[requests];
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                futures.add(clients.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        long begin = System.nanoTime();
                        request.accept(i);
                        latencies[i] = (System.nanoTime() - begin) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
        return new Result(latencies, (System.nanoTime() - start) / 1e9);
    }
}
