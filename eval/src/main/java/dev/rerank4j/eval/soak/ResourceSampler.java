package dev.rerank4j.eval.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the JVM heap (in use and committed) and the process's resident set size (VmRSS of /proc/self/status) at
 * a fixed interval on a daemon thread, and judges the run for a native leak.
 *
 * <p>Leak criterion: the median of the last quarter of the samples may exceed the median of the second quarter by
 * at most the limit, on the resident memory outside the Java heap (native allocations of ONNX Runtime and the
 * tokenizers, thread stacks, metaspace, code). That is RSS minus the committed heap when the heap is resident from
 * the start ({@code -Xms} = {@code -Xmx} with {@code -XX:+AlwaysPreTouch}); otherwise RSS itself, which then also
 * counts the heap's pages being touched for the first time (see {@link Summary#heapPretouched()}). The first
 * quarter is warm-up (JIT, ONNX Runtime arenas); medians keep one garbage collection or allocation burst from
 * deciding the verdict. A native tensor or tokenizer encoding leaked per request grows this in proportion to the
 * requests served, so it fails a long enough run.
 */
public final class ResourceSampler implements AutoCloseable {

    /** One sample: milliseconds since the start; heap in use, heap committed and resident set size in bytes (RSS -1 if unknown). */
    public record Sample(long millis, long heapUsed, long heapCommitted, long rss) {
        long outsideHeap() {
            return rss - heapCommitted;
        }
    }

    /** What the samples say (bytes); the judged series is RSS outside the heap when the heap was pre-touched, else RSS. */
    public record Summary(int samples, long heapMaxUsed, long heapMaxCommitted, long rssFirst, long rssPeak,
                          boolean heapPretouched, long judgedSecondQuarterMedian, long judgedLastQuarterMedian,
                          long judgedGrowth, long limit, boolean rssKnown, boolean leakSuspected) {
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
        var heap = memory.getHeapMemoryUsage();
        Sample sample = new Sample((System.nanoTime() - start) / 1_000_000, heap.getUsed(), heap.getCommitted(),
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
        return summarize(samples(), rssGrowthLimitBytes, heapPretouched());
    }

    static Summary summarize(List<Sample> all, long rssGrowthLimitBytes, boolean pretouched) {
        long heapMax = all.stream().mapToLong(Sample::heapUsed).max().orElse(0);
        long committedMax = all.stream().mapToLong(Sample::heapCommitted).max().orElse(0);
        boolean known = all.stream().allMatch(s -> s.rss() >= 0);
        long[] outside = all.stream().mapToLong(s -> pretouched ? s.outsideHeap() : s.rss()).toArray();
        int n = outside.length;
        long second = median(outside, n / 4, Math.max(n / 4 + 1, n / 2));
        long last = median(outside, Math.min(n - 1, 3 * n / 4), n);
        long growth = last - second;
        long peak = all.stream().mapToLong(Sample::rss).max().orElse(-1);
        return new Summary(n, heapMax, committedMax, n > 0 ? all.get(0).rss() : -1, peak, pretouched, second, last,
                growth, rssGrowthLimitBytes, known, known && growth > rssGrowthLimitBytes);
    }

    /** Whether the whole heap was committed and touched at start-up (-Xms = -Xmx and -XX:+AlwaysPreTouch). */
    static boolean heapPretouched() {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        boolean fixedSize = heap.getMax() > 0 && heap.getInit() == heap.getMax();
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return fixedSize && "true".equals(hotspot.getVMOption("AlwaysPreTouch").getValue());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long median(long[] values, int from, int to) {
        long[] part = java.util.Arrays.copyOfRange(values, from, Math.max(from + 1, to));
        java.util.Arrays.sort(part);
        return part[part.length / 2];
    }
}
