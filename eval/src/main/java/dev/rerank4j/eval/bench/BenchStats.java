package dev.rerank4j.eval.bench;

import java.util.Collection;

/** Small helpers for benchmark figures. */
final class BenchStats {

    private BenchStats() {
    }

    /** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
    static double median(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Three decimals, as bench.json reports figures. */
    static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
