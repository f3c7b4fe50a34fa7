package dev.rerank4j.eval.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the JVM heap in use and the process's resident set size (VmRSS of /proc/self/status) at a fixed interval
 * on a daemon thread, and judges the run for a native leak.
 *
 * <p>Leak criterion: the median RSS of the last quarter of the samples may exceed the median of the second
 * quarter by at most the limit. The first quarter is warm-up (JIT, ONNX Runtime arenas, caches filling); medians
 * keep a garbage collection or a short allocation burst from deciding the verdict. A leak of a native tensor or
 * tokenizer encoding per request grows RSS in proportion to the requests served, so it fails a long enough run.
 */
public final class ResourceSampler implements AutoCloseable {

    /** One sample: milliseconds since the start, heap in use and resident set size, in bytes (RSS -1 if unknown). */
    public record Sample(long millis, long heapUsed, long rss) {
    }

    /** What the samples say. */
    public record Summary(int samples, long heapMaxUsed, long rssFirst, long rssPeak, long rssSecondQuarterMedian,
                          long rssLastQuarterMedian, long rssGrowth, long limit, boolean rssKnown, boolean leakSuspected) {
    }

    private static final Path STATUS = Path.of("/proc/self/status");

    private final List<Sample> samples = new ArrayList<>();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private final long start = System.nanoTime();
    private volatile boolean running = true;

    public ResourceSampler(long intervalMillis) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("sample interval must be >= 1 ms, was " + intervalMillis);
        }
        sample();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }, "rerank4j-resource-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** VmRSS of this process in bytes, or -1 where /proc is not there. */
    public static long residentSetBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void sample() {
        Sample sample = new Sample((System.nanoTime() - start) / 1_000_000, memory.getHeapMemoryUsage().getUsed(),
                residentSetBytes());
        synchronized (samples) {
            samples.add(sample);
        }
    }

    /** Stops sampling (after one last sample). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    public Summary summary(long rssGrowthLimitBytes) {
        List<Sample> all = samples();
        long heapMax = all.stream().mapToLong(Sample::heapUsed).max().orElse(0);
        boolean known = all.stream().allMatch(s -> s.rss() >= 0);
        long[] rss = all.stream().mapToLong(Sample::rss).toArray();
        int n = rss.length;
        long second = median(rss, n / 4, Math.max(n / 4 + 1, n / 2));
        long last = median(rss, Math.min(n - 1, 3 * n / 4), n);
        long growth = last - second;
        long peak = all.stream().mapToLong(Sample::rss).max().orElse(-1);
        return new Summary(n, heapMax, n > 0 ? rss[0] : -1, peak, second, last, growth, rssGrowthLimitBytes, known,
                known && growth > rssGrowthLimitBytes);
    }

    private static long median(long[] values, int from, int to) {
        long[] part = java.util.Arrays.copyOfRange(values, from, Math.max(from + 1, to));
        java.util.Arrays.sort(part);
        return part[part.length / 2];
    }
}
