package dev.rerank4j.examples.chat;

/** What one question cost and how it was answered; filled in by the pipeline's wrappers, printed by the bot. */
public final class TurnTrace {

    private final RerankerKind reranker;
    private long retrieveNanos;
    private long rerankNanos;
    private long generateNanos = -1;
    private int candidates;
    private int depth;
    private int cacheHits = -1;
    private String fallback;

    public TurnTrace(RerankerKind reranker) {
        this.reranker = reranker;
    }

    public RerankerKind reranker() {
        return reranker;
    }

    synchronized void retrieved(long nanos, int candidates) {
        this.retrieveNanos += nanos;
        this.candidates = candidates;
    }

    synchronized void reranked(long nanos, int depth, int cacheHits, String fallback) {
        this.rerankNanos += nanos;
        this.depth = depth;
        this.cacheHits = cacheHits;
        this.fallback = fallback;
    }

    synchronized void generated(long nanos) {
        this.generateNanos = nanos;
    }

    public synchronized long retrieveNanos() {
        return retrieveNanos;
    }

    public synchronized long rerankNanos() {
        return rerankNanos;
    }

    public synchronized int candidates() {
        return candidates;
    }

    public synchronized int depth() {
        return depth;
    }

    public synchronized String fallback() {
        return fallback;
    }

    /** One line: timings, depth used, cache hits and any SLA fallback. */
    public synchronized String summary() {
        StringBuilder line = new StringBuilder("[").append(reranker.option()).append("] retrieve ")
                .append(ms(retrieveNanos)).append(" (").append(candidates).append(" candidates)");
        if (reranker == RerankerKind.NONE) {
            line.append(" | rerank off");
        } else {
            line.append(" | rerank ").append(ms(rerankNanos)).append(" (depth ").append(depth);
            if (cacheHits >= 0) {
                line.append(", cache hits ").append(cacheHits);
            }
            line.append(')');
        }
        if (generateNanos >= 0) {
            line.append(" | generate ").append(ms(generateNanos));
        }
        line.append(fallback == null ? "" : " | SLA fallback: " + fallback);
        return line.toString();
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.0f ms", nanos / 1e6);
    }
}
