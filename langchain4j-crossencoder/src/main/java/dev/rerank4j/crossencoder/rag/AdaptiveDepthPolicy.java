package dev.rerank4j.crossencoder.rag;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToIntFunction;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureBetween;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/**
 * Picks the deepest rerank that should fit a latency budget. It learns the scorer's cost per token online (an
 * exponentially weighted moving average of wall time / tokens over the requests it observes) and, per request,
 * predicts the cost of the first {@code d} (query, passage) pairs from their token counts; the largest {@code d} in
 * [{@code minDepth}, {@code maxDepth}] whose prediction stays within {@code utilization × budget} wins.
 *
 * <p>Concurrent requests queue for the same scorer, so the policy also accounts for the work already admitted: it
 * keeps a virtual queue of the predicted work of the requests it chose a depth for (draining with time; when a
 * request finishes, at most the work admitted after it remains, as the scorer serves requests in arrival order),
 * predicts that a new request first waits for that work, and fits only what remains of the budget after the wait.
 * The cost it learns is per token of the whole queue (wall time / (tokens ahead + own tokens)), the scorer's
 * throughput, so that waiting is not mistaken for a slower model. Requests it never hears about again (e.g. fully
 * cached) are forgotten a budget after their predicted end.
 *
 * <p>Before the first observation it uses {@code maxDepth}; the aggregator's deadline guards that first guess.
 * A request cut off by the deadline gives a lower bound of the cost, which the estimate is raised to at once, so
 * a scorer that slows down shrinks the depth at the next request; one that recovers grows it back as fast requests
 * come in (at the smoothing rate).
 * Thread-safe.
 */
public final class AdaptiveDepthPolicy implements DepthPolicy {

    public static final Duration DEFAULT_BUDGET = Duration.ofMillis(200);
    public static final int DEFAULT_MIN_DEPTH = 8;
    public static final int DEFAULT_MAX_DEPTH = 30;
    public static final double DEFAULT_UTILIZATION = 0.8;
    public static final double DEFAULT_SMOOTHING = 0.3;

    private final Duration budget;
    private final int minDepth;
    private final int maxDepth;
    private final double utilization;
    private final double smoothing;
    private final ToIntFunction<String> tokenCounter;
    private final int pairSpecialTokens;
    private final int maxPairTokens;
    private final Cache<String, Integer> tokenCounts = Caffeine.newBuilder().maximumSize(50_000).build();
    private double nanosPerToken = Double.NaN; // guarded by this
    private long observations; // guarded by this
    private final ArrayDeque<Admission> inFlight = new ArrayDeque<>(); // guarded by this, in admission order
    private double queuedNanos; // guarded by this: predicted work admitted and not yet done
    private final Ticker ticker;
    private long queueUpdatedAt; // guarded by this

    /** A request this policy chose a depth for and has not seen finish. */
    private record Admission(String query, long predictedEndNanos, double tokensAhead, double serviceNanos) {
    }

    private AdaptiveDepthPolicy(Builder builder) {
        this.budget = getOrDefault(builder.budget, DEFAULT_BUDGET);
        this.minDepth = getOrDefault(builder.minDepth, DEFAULT_MIN_DEPTH);
        this.maxDepth = getOrDefault(builder.maxDepth, DEFAULT_MAX_DEPTH);
        this.utilization = getOrDefault(builder.utilization, DEFAULT_UTILIZATION);
        this.smoothing = getOrDefault(builder.smoothing, DEFAULT_SMOOTHING);
        if (builder.tokenizer != null) {
            TextTokenizer tokenizer = builder.tokenizer;
            this.tokenCounter = text -> tokenizer.tokenIds(text).length;
            this.pairSpecialTokens = tokenizer.pairSpecialTokens();
            this.maxPairTokens = builder.maxPairTokens != null ? builder.maxPairTokens : tokenizer.maxLength();
        } else {
            this.tokenCounter = builder.tokenCounter != null ? builder.tokenCounter : AdaptiveDepthPolicy::estimateTokens;
            this.pairSpecialTokens = 3;
            this.maxPairTokens = builder.maxPairTokens != null ? builder.maxPairTokens : 512;
        }
        if (builder.initialNanosPerToken != null) {
            this.nanosPerToken = builder.initialNanosPerToken;
        }
        this.ticker = getOrDefault(builder.ticker, Ticker.systemTicker());
        this.queueUpdatedAt = ticker.read();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Without a tokenizer: about four characters a word piece. */
    static int estimateTokens(String text) {
        return text.length() / 4 + 1;
    }

    @Override
    public int depth(String query, List<TextSegment> candidates) {
        int upper = Math.min(maxDepth, candidates.size());
        double rate = currentNanosPerToken();
        if (Double.isNaN(rate)) {
            return upper;
        }
        int queryTokens = tokens(query);
        long[] cumulative = new long[upper + 1];
        for (int d = 1; d <= upper; d++) {
            cumulative[d] = cumulative[d - 1] + pairTokens(queryTokens, candidates.get(d - 1).text());
        }
        synchronized (this) {
            long now = ticker.read();
            double waitNanos = drain(now);
            double allowed = budget.toNanos() * utilization - waitNanos;
            int depth = 0;
            for (int d = 1; d <= upper && cumulative[d] * rate <= allowed; d++) {
                depth = d;
            }
            depth = Math.min(upper, Math.max(minDepth, depth));
            double service = cumulative[depth] * rate;
            queuedNanos += service;
            inFlight.addLast(new Admission(query, now + (long) (waitNanos + service), waitNanos / rate, service));
            return depth;
        }
    }

    /** The admitted work still to do after the time passed since the last look; forgets stale admissions. */
    private double drain(long now) {
        queuedNanos = Math.max(0, queuedNanos - (now - queueUpdatedAt));
        queueUpdatedAt = now;
        long stale = now - budget.toNanos();
        inFlight.removeIf(admission -> admission.predictedEndNanos() - stale < 0);
        return queuedNanos;
    }

    @Override
    public void observe(RerankCost cost) {
        long tokens = cost.realTokens();
        if (tokens < 0) {
            int queryTokens = tokens(cost.query());
            tokens = 0;
            for (String passage : cost.passages()) {
                tokens += pairTokens(queryTokens, passage);
            }
        }
        synchronized (this) {
            double tokensAhead = finished(cost.query());
            if (tokens <= 0 || cost.nanos() <= 0) {
                return; // nothing ran (e.g. all pairs cached): no information about the scorer's speed
            }
            // the request waited for the work ahead of it: its wall time paid for those tokens too
            double observed = cost.nanos() / (tokens + tokensAhead);
            if (Double.isNaN(nanosPerToken)) {
                nanosPerToken = observed;
            } else if (cost.completed()) {
                nanosPerToken += smoothing * (observed - nanosPerToken);
            } else {
                // Cut off by the deadline: the true cost is at least this, so never plan below it.
                nanosPerToken = Math.max(nanosPerToken, observed);
            }
            observations++;
        }
    }

    /**
     * Forgets the oldest admission of this query and returns the tokens that were ahead of it (0 if none). The work
     * ahead of it is done too, so at most the work admitted after it remains queued.
     */
    private double finished(String query) {
        drain(ticker.read());
        double tokensAhead = 0;
        double admittedLater = 0;
        boolean found = false;
        for (var it = inFlight.iterator(); it.hasNext(); ) {
            Admission admission = it.next();
            if (found) {
                admittedLater += admission.serviceNanos();
            } else if (admission.query().equals(query)) {
                it.remove();
                tokensAhead = admission.tokensAhead();
                found = true;
            }
        }
        if (found) {
            queuedNanos = Math.min(queuedNanos, admittedLater);
        }
        return tokensAhead;
    }

    /** Requests admitted by {@link #depth} that have not been observed yet (and are not a budget past their end). */
    public synchronized int inFlight() {
        drain(ticker.read());
        return inFlight.size();
    }

    private int pairTokens(int queryTokens, String passage) {
        return Math.min(maxPairTokens, queryTokens + tokens(passage) + pairSpecialTokens);
    }

    private int tokens(String text) {
        return tokenCounts.get(text, tokenCounter::applyAsInt);
    }

    /** Predicted wall time of scoring these pairs, or empty before the first observation. */
    public Optional<Duration> predict(String query, List<String> passages) {
        double rate = currentNanosPerToken();
        if (Double.isNaN(rate)) {
            return Optional.empty();
        }
        int queryTokens = tokens(query);
        long total = passages.stream().mapToLong(p -> pairTokens(queryTokens, p)).sum();
        return Optional.of(Duration.ofNanos((long) (total * rate)));
    }

    /** The learned cost per (query, passage) token, or empty before the first observation. */
    public OptionalDouble nanosPerToken() {
        double rate = currentNanosPerToken();
        return Double.isNaN(rate) ? OptionalDouble.empty() : OptionalDouble.of(rate);
    }

    public synchronized long observations() {
        return observations;
    }

    private synchronized double currentNanosPerToken() {
        return nanosPerToken;
    }

    @Override
    public Optional<Duration> latencyBudget() {
        return Optional.of(budget);
    }

    public int minDepth() {
        return minDepth;
    }

    public int maxDepth() {
        return maxDepth;
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private Duration budget;
        private Integer minDepth;
        private Integer maxDepth;
        private Double utilization;
        private Double smoothing;
        private TextTokenizer tokenizer;
        private ToIntFunction<String> tokenCounter;
        private Integer maxPairTokens;
        private Double initialNanosPerToken;
        private Ticker ticker;

        /** The rerank latency to plan for (default 200 ms); also the aggregator's default deadline. */
        public Builder latencyBudget(Duration budget) {
            this.budget = budget;
            return this;
        }

        /** Default {@value #DEFAULT_MIN_DEPTH}. */
        public Builder minDepth(Integer minDepth) {
            this.minDepth = minDepth;
            return this;
        }

        /** Default {@value #DEFAULT_MAX_DEPTH}. */
        public Builder maxDepth(Integer maxDepth) {
            this.maxDepth = maxDepth;
            return this;
        }

        /** Share of the budget a prediction may fill (default 0.8): headroom for variance and overhead. */
        public Builder utilization(Double utilization) {
            this.utilization = utilization;
            return this;
        }

        /** Weight of the newest observation in the moving average (default 0.3). */
        public Builder smoothing(Double smoothing) {
            this.smoothing = smoothing;
            return this;
        }

        /** Exact token counts from the reranker's own tokenizer (e.g. {@code crossEncoder.tokenizer()}). */
        public Builder tokenizer(TextTokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        /** Token counts of a text when no tokenizer is given (default: length / 4 + 1). */
        public Builder tokenCounter(ToIntFunction<String> tokenCounter) {
            this.tokenCounter = tokenCounter;
            return this;
        }

        /** Cap of tokens per pair (default the tokenizer's max length, else 512). */
        public Builder maxPairTokens(Integer maxPairTokens) {
            this.maxPairTokens = maxPairTokens;
            return this;
        }

        /** A starting estimate (e.g. from a warm-up), instead of using maxDepth until the first observation. */
        public Builder initialNanosPerToken(Double nanosPerToken) {
            this.initialNanosPerToken = nanosPerToken;
            return this;
        }

        /** The time source for queued work (default {@link Ticker#systemTicker()}); tests pass their own. */
        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        public AdaptiveDepthPolicy build() {
            if (budget != null && (budget.isNegative() || budget.isZero())) {
                throw new IllegalArgumentException("latencyBudget must be positive, but is: " + budget);
            }
            if (minDepth != null) {
                ensureNotNegative(minDepth, "minDepth");
            }
            ensureGreaterThanZeroIfNotNull(maxDepth, "maxDepth");
            int min = getOrDefault(minDepth, DEFAULT_MIN_DEPTH);
            int max = getOrDefault(maxDepth, DEFAULT_MAX_DEPTH);
            if (min > max) {
                throw new IllegalArgumentException("minDepth " + min + " exceeds maxDepth " + max);
            }
            if (utilization != null) {
                ensureBetween(utilization, Double.MIN_VALUE, 1, "utilization");
            }
            if (smoothing != null) {
                ensureBetween(smoothing, Double.MIN_VALUE, 1, "smoothing");
            }
            ensureGreaterThanZeroIfNotNull(maxPairTokens, "maxPairTokens");
            if (initialNanosPerToken != null) {
                ensureGreaterThanZero(initialNanosPerToken, "initialNanosPerToken");
            }
            if (tokenizer != null && tokenCounter != null) {
                throw new IllegalArgumentException("Set either tokenizer or tokenCounter, not both");
            }
            return new AdaptiveDepthPolicy(this);
        }
    }
}
