package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.content.aggregator.ReciprocalRankFuser;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.scoring.ScoringStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static dev.langchain4j.internal.Utils.getOrDefault;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZeroIfNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The reranking cascade as a LangChain4j {@link ContentAggregator}: the first-stage lists (e.g. the 150 nearest
 * of an {@code EmbeddingStoreContentRetriever}) are fused like LangChain4j does (reciprocal rank fusion per query,
 * then across queries), the leading {@code depth} candidates (default 30, or chosen per request by a
 * {@link DepthPolicy}) are scored with any {@link ScoringModel}, and the best {@code maxResults} (default 8)
 * are returned.
 *
 * <p>Result semantics: contents keep their first-stage metadata ({@link ContentMetadata#SCORE},
 * {@link ContentMetadata#EMBEDDING_ID}) and reranked ones add {@link ContentMetadata#RERANKED_SCORE}; equal
 * scores keep first-stage order; identical texts are scored once and all kept; candidates that were not scored
 * (beyond the depth, or after a fallback) follow the reranked ones in first-stage order. {@code minScore} drops
 * reranked contents below it, and then unscored candidates are not used to fill up (except in a fallback).
 *
 * <p>Deadline: with a deadline (default: the policy's latency budget; none for a fixed depth) scoring runs on the
 * executor and the caller waits at most until the deadline, counted from the start of {@link #aggregate}. The
 * top {@code maxResults} candidates are scored first, then the rest, so a late request can still return that
 * reranked prefix; otherwise it returns first-stage order. Late work is cancelled (interrupted), and a phase that
 * returns after that is not used. Fail-open (the default) never throws for a timeout, a scoring failure or a
 * cancellation; fail-closed throws
 * {@link RerankException} carrying the {@link FallbackReason}. Every fallback is logged and reported to the
 * listeners. Exceptions of the scoring model map to reasons: an interrupt of the calling thread is
 * {@link FallbackReason#INTERRUPTED} (the flag stays set), any other
 * {@link dev.rerank4j.crossencoder.runtime.InferenceCancelledException} (e.g. the model closed while scoring)
 * {@link FallbackReason#CANCELLED}, everything else {@link FallbackReason#SCORING_FAILED}.
 */
public final class CascadeContentAggregator implements ContentAggregator {

    public static final int DEFAULT_FIRST_STAGE_SIZE = 150;
    public static final int DEFAULT_RERANK_DEPTH = 30;
    public static final int DEFAULT_MAX_RESULTS = 8;

    private static final Logger LOG = LoggerFactory.getLogger(CascadeContentAggregator.class);

    private final ScoringModel scoringModel;
    private final DepthPolicy depthPolicy;
    private final int firstStageSize;
    private final int maxResults;
    private final Double minScore;
    private final Duration deadline;
    private final int phaseSize;
    private final boolean failOpen;
    private final List<RerankListener> listeners;
    private final ExecutorService executor;
    private final Function<Map<Query, Collection<List<Content>>>, Query> querySelector;

    private CascadeContentAggregator(Builder builder) {
        this.scoringModel = builder.scoringModel;
        this.depthPolicy = builder.depthPolicy != null ? builder.depthPolicy
                : DepthPolicy.fixed(getOrDefault(builder.rerankDepth, DEFAULT_RERANK_DEPTH));
        this.firstStageSize = getOrDefault(builder.firstStageSize, DEFAULT_FIRST_STAGE_SIZE);
        this.maxResults = getOrDefault(builder.maxResults, DEFAULT_MAX_RESULTS);
        this.minScore = builder.minScore;
        this.deadline = builder.deadline != null ? builder.deadline : depthPolicy.latencyBudget().orElse(null);
        this.phaseSize = getOrDefault(builder.phaseSize, 0);
        this.failOpen = getOrDefault(builder.failOpen, true);
        this.listeners = List.copyOf(builder.listeners);
        this.executor = builder.executor != null ? builder.executor : DefaultExecutor.INSTANCE;
        this.querySelector = getOrDefault(builder.querySelector, ReRankingContentAggregator.DEFAULT_QUERY_SELECTOR);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<Content> aggregate(Map<Query, Collection<List<Content>>> queryToContents) {
        long start = System.nanoTime();
        ensureNotNull(queryToContents, "queryToContents");
        if (queryToContents.isEmpty()) {
            return List.of();
        }
        Query query = querySelector.apply(queryToContents);
        List<Content> candidates = fuse(queryToContents);
        if (candidates.size() > firstStageSize) {
            candidates = candidates.subList(0, firstStageSize);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        return rerank(query.text(), candidates, start);
    }

    /** Reranks one first-stage list (best first) for a query: the cascade without fusion. */
    public List<Content> rerank(String query, List<Content> firstStage) {
        ensureNotNull(query, "query");
        ensureNotNull(firstStage, "firstStage");
        List<Content> candidates = firstStage.size() > firstStageSize ? firstStage.subList(0, firstStageSize) : firstStage;
        return candidates.isEmpty() ? List.of() : rerank(query, candidates, System.nanoTime());
    }

    /** Per query, then across queries: the same fusion as LangChain4j's own aggregators. */
    static List<Content> fuse(Map<Query, Collection<List<Content>>> queryToContents) {
        List<List<Content>> perQuery = new ArrayList<>();
        for (Collection<List<Content>> lists : queryToContents.values()) {
            perQuery.add(ReciprocalRankFuser.fuse(lists));
        }
        return ReciprocalRankFuser.fuse(perQuery);
    }

    private List<Content> rerank(String query, List<Content> candidates, long start) {
        List<TextSegment> segments = candidates.stream().map(Content::textSegment).toList();
        Progress progress = new Progress();
        FallbackReason fallback = null;
        Throwable failure = null;
        int depth = 0;
        List<List<TextSegment>> phases = List.of();
        try {
            depth = Math.max(0, Math.min(depthPolicy.depth(query, segments), segments.size()));
            phases = phases(segments, depth);
            if (!phases.isEmpty()) {
                ScoringTask task = new ScoringTask(query, phases, progress);
                if (deadline == null) {
                    task.call();
                } else {
                    fallback = runWithDeadline(task, start);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fallback = FallbackReason.INTERRUPTED;
            failure = e;
        } catch (ExecutionException e) {
            failure = e.getCause();
            fallback = failure instanceof InferenceCancelledException ? FallbackReason.CANCELLED
                    : FallbackReason.SCORING_FAILED;
        } catch (InferenceCancelledException e) {
            // scored on this thread: either this thread was interrupted, or the model was closed under it
            fallback = Thread.currentThread().isInterrupted() ? FallbackReason.INTERRUPTED : FallbackReason.CANCELLED;
            failure = e;
        } catch (RuntimeException e) {
            fallback = FallbackReason.SCORING_FAILED;
            failure = e;
        }
        Progress.Snapshot done = progress.snapshot();
        if (fallback == FallbackReason.DEADLINE_EXCEEDED && done.phases() > 0) {
            fallback = FallbackReason.DEADLINE_PARTIAL;
        }
        observe(query, phases, depth, done, fallback);

        List<Content> result = fallback != null && !failOpen ? null : assemble(candidates, depth, done, fallback != null);
        RerankEvent event = new RerankEvent(query, candidates.size(), depth, done.cacheHits(), done.batches(),
                done.tokenizeNanos(), done.inferNanos(), System.nanoTime() - start, Optional.ofNullable(fallback));
        if (fallback != null) {
            LOG.warn("Rerank fell back ({}) after {} ms: depth {}, {} of {} phases scored, fail-{}{}", fallback,
                    event.totalNanos() / 1_000_000, depth, done.phases(), phases.size(), failOpen ? "open" : "closed",
                    failure != null ? ": " + failure : "");
        }
        notifyListeners(event);
        if (result == null) {
            throw new RerankException(fallback, "Reranking failed (" + fallback + ") and the aggregator is fail-closed",
                    failure);
        }
        return result;
    }

    private FallbackReason runWithDeadline(ScoringTask task, long start)
            throws InterruptedException, ExecutionException {
        Future<Void> future;
        try {
            future = executor.submit(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The rerank executor rejected the request", e);
        }
        long remaining = deadline.toNanos() - (System.nanoTime() - start);
        try {
            future.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            return null;
        } catch (TimeoutException e) {
            future.cancel(true);
            return FallbackReason.DEADLINE_EXCEEDED;
        } catch (InterruptedException | ExecutionException e) {
            future.cancel(true);
            throw e;
        }
    }

    /**
     * With a deadline: the top {@code maxResults} first, then the rest of the depth (in phases of {@code phaseSize}
     * when set), so a deadline can keep a reranked prefix and cancellation takes effect between phases. Texts
     * already in an earlier phase are not sent again.
     */
    private List<List<TextSegment>> phases(List<TextSegment> segments, int depth) {
        if (depth == 0) {
            return List.of();
        }
        List<int[]> ranges = new ArrayList<>();
        if (deadline == null) {
            ranges.add(new int[]{0, depth});
        } else {
            int prefix = Math.min(depth, maxResults);
            ranges.add(new int[]{0, prefix});
            int step = phaseSize > 0 ? phaseSize : Math.max(1, depth - prefix);
            for (int from = prefix; from < depth; from += step) {
                ranges.add(new int[]{from, Math.min(depth, from + step)});
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        List<List<TextSegment>> phases = new ArrayList<>(ranges.size());
        for (int[] range : ranges) {
            List<TextSegment> phase = new ArrayList<>();
            for (int i = range[0]; i < range[1]; i++) {
                if (seen.add(segments.get(i).text())) {
                    phase.add(segments.get(i));
                }
            }
            if (!phase.isEmpty()) {
                phases.add(phase);
            }
        }
        return phases;
    }

    private void observe(String query, List<List<TextSegment>> phases, int depth, Progress.Snapshot done,
                         FallbackReason fallback) {
        try {
            if (fallback == null && done.phases() > 0) {
                depthPolicy.observe(new DepthPolicy.RerankCost(query, done.passages(), done.realTokens(),
                        done.scoringNanos(), true));
            } else if (fallback == FallbackReason.DEADLINE_EXCEEDED || fallback == FallbackReason.DEADLINE_PARTIAL) {
                // A lower bound: the elapsed time did not even cover the phases done plus the one cut off.
                List<String> attempted = phases.subList(0, Math.min(phases.size(), done.phases() + 1)).stream()
                        .flatMap(List::stream).map(TextSegment::text).toList();
                depthPolicy.observe(new DepthPolicy.RerankCost(query, attempted, -1, done.elapsedNanos(), false));
            }
        } catch (RuntimeException e) {
            LOG.warn("Depth policy failed to record a request (depth {}): {}", depth, e.toString());
        }
    }

    private List<Content> assemble(List<Content> candidates, int depth, Progress.Snapshot done, boolean fallback) {
        List<Integer> scored = new ArrayList<>();
        List<Integer> unscored = new ArrayList<>();
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            Double score = i < depth ? done.scores().get(candidates.get(i).textSegment().text()) : null;
            scores[i] = score != null ? score : Double.NaN;
            if (score == null) {
                unscored.add(i);
            } else if (minScore == null || score >= minScore) {
                scored.add(i);
            }
        }
        // Stable: equal scores keep first-stage order.
        scored.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<Content> result = new ArrayList<>(Math.min(maxResults, candidates.size()));
        for (int i : scored) {
            if (result.size() == maxResults) {
                break;
            }
            Map<ContentMetadata, Object> metadata = new HashMap<>(candidates.get(i).metadata());
            metadata.put(ContentMetadata.RERANKED_SCORE, scores[i]);
            result.add(Content.from(candidates.get(i).textSegment(), metadata));
        }
        if (minScore == null || fallback) {
            for (int i : unscored) {
                if (result.size() == maxResults) {
                    break;
                }
                result.add(candidates.get(i));
            }
        }
        return List.copyOf(result);
    }

    private void notifyListeners(RerankEvent event) {
        for (RerankListener listener : listeners) {
            try {
                listener.onRerank(event);
            } catch (RuntimeException e) {
                LOG.warn("RerankListener {} failed: {}", listener, e.toString());
            }
        }
    }

    public DepthPolicy depthPolicy() {
        return depthPolicy;
    }

    public Optional<Duration> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** Scores the phases in order, publishing each one as it completes; stops between phases when interrupted. */
    private final class ScoringTask implements java.util.concurrent.Callable<Void> {
        private final String query;
        private final List<List<TextSegment>> phases;
        private final Progress progress;

        ScoringTask(String query, List<List<TextSegment>> phases, Progress progress) {
            this.query = query;
            this.phases = phases;
            this.progress = progress;
        }

        @Override
        public Void call() throws InterruptedException {
            progress.started(System.nanoTime());
            for (List<TextSegment> phase : phases) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("rerank cancelled");
                }
                long start = System.nanoTime();
                Response<List<Double>> response = scoringModel.scoreAll(phase, query);
                if (Thread.currentThread().isInterrupted()) {
                    // cancelled while a phase that could not be stopped ran: its late scores are not used
                    throw new InterruptedException("rerank cancelled");
                }
                List<Double> scores = response == null ? null : response.content();
                if (scores == null || scores.size() != phase.size()) {
                    throw new IllegalStateException("Scoring model returned " + (scores == null ? "no" : scores.size())
                            + " scores for " + phase.size() + " segments");
                }
                progress.phaseDone(phase, scores, response.metadata(), System.nanoTime() - start);
            }
            return null;
        }
    }

    /** What the scoring task has finished; written by the task, read by the caller (synchronized). */
    private static final class Progress {
        private final Map<String, Double> scores = new HashMap<>();
        private final List<String> passages = new ArrayList<>();
        private int phases;
        private int cacheHits;
        private int batches;
        private long tokenizeNanos;
        private long inferNanos;
        private long realTokens;
        private boolean tokensKnown = true;
        private long scoringNanos;
        private long startedAt;

        synchronized void started(long nanos) {
            startedAt = nanos;
        }

        synchronized void phaseDone(List<TextSegment> phase, List<Double> phaseScores, Map<String, Object> metadata,
                                    long nanos) {
            for (int i = 0; i < phase.size(); i++) {
                Double score = phaseScores.get(i);
                if (score == null) {
                    throw new IllegalStateException("Scoring model returned a null score for segment " + i);
                }
                scores.put(phase.get(i).text(), score);
                passages.add(phase.get(i).text());
            }
            Object hits = metadata == null ? null : metadata.get(CachingScoringModel.META_CACHE_HITS);
            int phaseHits = hits instanceof Integer n ? n : 0;
            cacheHits += phaseHits;
            Object stats = metadata == null ? null : metadata.get(CrossEncoderScoringModel.META_STATS);
            if (stats instanceof ScoringStats s) {
                batches += s.batches();
                tokenizeNanos += s.tokenizeNanos();
                inferNanos += s.inferNanos();
                realTokens += s.realTokens();
            } else if (phaseHits < phase.size()) {
                tokensKnown = false;
            }
            scoringNanos += nanos;
            phases++;
        }

        synchronized Snapshot snapshot() {
            long elapsed = startedAt == 0 ? 0 : System.nanoTime() - startedAt;
            return new Snapshot(Map.copyOf(scores), List.copyOf(passages), phases, cacheHits, batches, tokenizeNanos,
                    inferNanos, tokensKnown ? realTokens : -1, scoringNanos, elapsed);
        }

        record Snapshot(Map<String, Double> scores, List<String> passages, int phases, int cacheHits, int batches,
                        long tokenizeNanos, long inferNanos, long realTokens, long scoringNanos, long elapsedNanos) {
        }
    }

    /** Daemon threads, so an abandoned (cancelled) scoring call never keeps the JVM alive. */
    private static final class DefaultExecutor {
        static final ExecutorService INSTANCE = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable runnable) {
                Thread thread = new Thread(runnable, "rerank4j-cascade-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });
    }

    /** LangChain4j style: null means the default; {@link #build()} checks every value once. */
    public static final class Builder {
        private ScoringModel scoringModel;
        private Integer rerankDepth;
        private DepthPolicy depthPolicy;
        private Integer firstStageSize;
        private Integer maxResults;
        private Double minScore;
        private Duration deadline;
        private Integer phaseSize;
        private Boolean failOpen;
        private final List<RerankListener> listeners = new ArrayList<>();
        private ExecutorService executor;
        private Function<Map<Query, Collection<List<Content>>>, Query> querySelector;

        /** Required: any LangChain4j scoring model (e.g. a {@code CrossEncoderScoringModel}). */
        public Builder scoringModel(ScoringModel scoringModel) {
            this.scoringModel = scoringModel;
            return this;
        }

        /** Rerank this many leading candidates every time (default {@value #DEFAULT_RERANK_DEPTH}). */
        public Builder rerankDepth(Integer rerankDepth) {
            this.rerankDepth = rerankDepth;
            return this;
        }

        /** Choose the depth per request instead of {@link #rerankDepth}, e.g. an {@link AdaptiveDepthPolicy}. */
        public Builder depthPolicy(DepthPolicy depthPolicy) {
            this.depthPolicy = depthPolicy;
            return this;
        }

        /** Fused candidates considered at most (default {@value #DEFAULT_FIRST_STAGE_SIZE}). */
        public Builder firstStageSize(Integer firstStageSize) {
            this.firstStageSize = firstStageSize;
            return this;
        }

        /** Contents returned at most (default {@value #DEFAULT_MAX_RESULTS}). */
        public Builder maxResults(Integer maxResults) {
            this.maxResults = maxResults;
            return this;
        }

        /** Drop reranked contents scoring below this (default null: keep all). */
        public Builder minScore(Double minScore) {
            this.minScore = minScore;
            return this;
        }

        /** Hard deadline from the start of a request (default the policy's latency budget; none for fixed depth). */
        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * With a deadline, score the candidates after the top {@code maxResults} in calls of at most this many
         * (default 0: all in one call). Smaller phases let a cancelled request stop sooner at the cost of more,
         * smaller batches.
         */
        public Builder phaseSize(Integer phaseSize) {
            this.phaseSize = phaseSize;
            return this;
        }

        /** true (default): timeouts, failures and cancellations return first-stage order; false: they throw. */
        public Builder failOpen(Boolean failOpen) {
            this.failOpen = failOpen;
            return this;
        }

        public Builder listener(RerankListener listener) {
            this.listeners.add(listener);
            return this;
        }

        public Builder listeners(List<RerankListener> listeners) {
            if (listeners != null) {
                this.listeners.addAll(listeners);
            }
            return this;
        }

        /** Where scoring runs when there is a deadline (default a shared pool of daemon threads). */
        public Builder executor(ExecutorService executor) {
            this.executor = executor;
            return this;
        }

        /** Which query ranks the contents when several were retrieved (default LangChain4j's: exactly one). */
        public Builder querySelector(Function<Map<Query, Collection<List<Content>>>, Query> querySelector) {
            this.querySelector = querySelector;
            return this;
        }

        public CascadeContentAggregator build() {
            ensureNotNull(scoringModel, "scoringModel");
            if (rerankDepth != null && depthPolicy != null) {
                throw new IllegalArgumentException("Set either rerankDepth or depthPolicy, not both");
            }
            if (rerankDepth != null) {
                ensureNotNegative(rerankDepth, "rerankDepth");
            }
            ensureGreaterThanZeroIfNotNull(firstStageSize, "firstStageSize");
            ensureGreaterThanZeroIfNotNull(maxResults, "maxResults");
            if (minScore != null && minScore.isNaN()) {
                throw new IllegalArgumentException("minScore cannot be NaN");
            }
            if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
                throw new IllegalArgumentException("deadline must be positive, but is: " + deadline);
            }
            if (phaseSize != null) {
                ensureNotNegative(phaseSize, "phaseSize");
            }
            for (int i = 0; i < listeners.size(); i++) {
                ensureNotNull(listeners.get(i), "listeners[%s] cannot be null", i);
            }
            return new CascadeContentAggregator(this);
        }
    }
}
