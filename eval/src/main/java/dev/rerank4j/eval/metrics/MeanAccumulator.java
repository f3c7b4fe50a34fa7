package dev.rerank4j.eval.metrics;

/** Running mean of a per-query metric. */
public final class MeanAccumulator {

    private double sum;
    private int count;

    public void add(double value) {
        sum += value;
        count++;
    }

    public int count() {
        return count;
    }

    /** The mean, or {@code null} when nothing was added (reported as JSON null). */
    public Double mean() {
        return count == 0 ? null : sum / count;
    }
}
