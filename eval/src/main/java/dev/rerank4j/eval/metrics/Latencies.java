package dev.rerank4j.eval.metrics;

import java.util.Arrays;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/** Latency percentiles (nearest-rank on the sorted sample, the convention of most benchmark tools). */
public record Latencies(double p50, double p95, double p99, double mean, int count) {

    public static Latencies of(double[] millis) {
        ensureNotNull(millis, "millis");
        if (millis.length == 0) {
            return new Latencies(0, 0, 0, 0, 0);
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new Latencies(percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                Arrays.stream(sorted).average().orElse(0), sorted.length);
    }

    /** Nearest rank: the smallest value with at least p% of the sample at or below it. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
