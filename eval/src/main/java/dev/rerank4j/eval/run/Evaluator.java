package dev.rerank4j.eval.run;

import dev.rerank4j.eval.answers.AnswerGenerator;
import dev.rerank4j.eval.answers.AnswerMetrics;
import dev.rerank4j.eval.data.AnswerKey;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Document;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.metrics.Latencies;
import dev.rerank4j.eval.metrics.MeanAccumulator;
import dev.rerank4j.eval.metrics.RankingMetrics;
import dev.rerank4j.eval.pipeline.FirstStage;
import dev.rerank4j.eval.pipeline.Progress;
import dev.rerank4j.eval.pipeline.RerankPipeline;
import dev.rerank4j.eval.pipeline.RerankPipeline.Ranking;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * Runs every pipeline on the same first-stage candidates of each query and aggregates the metrics. Latency of a
 * pipeline on a query = first-stage time + its own rerank time, both wall-clock, one query at a time.
 */
public final class Evaluator {

    public static final int ANSWER_TOP_K = 8;

    private final BeirDataset dataset;
    private final FirstStage firstStage;
    private final List<RerankPipeline> pipelines;
    private final int maxQueries;
    private final boolean showProgress;
    private final AnswerGenerator generator;
    private final String chatModelDescription;

    private Evaluator(Builder b) {
        this.dataset = b.dataset;
        this.firstStage = b.firstStage;
        this.pipelines = List.copyOf(b.pipelines);
        this.maxQueries = b.maxQueries;
        this.showProgress = b.showProgress;
        this.generator = b.generator;
        this.chatModelDescription = b.chatModelDescription;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The judged queries a run uses: all, or every k-th in qrels order when capped (like the model cards). */
    public static List<Query> selectQueries(List<Query> judged, int maxQueries) {
        if (maxQueries <= 0 || maxQueries >= judged.size()) {
            return judged;
        }
        int step = (int) Math.ceil((double) judged.size() / maxQueries);
        List<Query> selected = new ArrayList<>();
        for (int i = 0; i < judged.size() && selected.size() < maxQueries; i += step) {
            selected.add(judged.get(i));
        }
        return selected;
    }

    /**
     * One untimed warm-up query, then every query through every pipeline (with the score caches emptied first: the
     * cold pass); when a pipeline caches scores, a second pass over the same queries through those pipelines only
     * (the warm pass, reported as {@code <name> warm}).
     */
    public EvalResult run() {
        List<Query> queries = selectQueries(dataset.judgedQueries(), maxQueries);
        int p = pipelines.size();
        warmUp(queries);
        pipelines.forEach(RerankPipeline::clearCache);
        Pass cold = pass(queries, pipelines, generator, "Evaluating " + names(pipelines));
        List<PipelineResult> results = new ArrayList<>(p);
        for (int i = 0; i < p; i++) {
            RerankPipeline pipeline = pipelines.get(i);
            results.add(cold.acc[i].result(pipeline, pipeline.name(), pipeline.cached() ? "cold" : null));
        }
        List<RerankPipeline> cached = pipelines.stream().filter(RerankPipeline::cached).toList();
        if (!cached.isEmpty()) {
            // The same queries again: every score is in the cache now. No answers are generated twice.
            Pass warm = pass(queries, cached, null, "Warm cache " + names(cached));
            for (int i = 0; i < cached.size(); i++) {
                results.add(warm.acc[i].result(cached.get(i), cached.get(i).name() + " warm", "warm"));
            }
        }
        Map<String, AnswerKey> answers = dataset.answers().orElse(null);
        String note = answers == null ? null : generator == null
                ? "no chat model configured (set RERANK4J_OPENAI_* or RERANK4J_OLLAMA_*): generation metrics skipped"
                : null;
        return new EvalResult(dataset.name(), dataset.split(), queries.size(), cold.evaluated, firstStage.description(),
                cold.firstStageMs.mean() == null ? 0 : cold.firstStageMs.mean(), chatModelDescription, note, results);
    }

    /** What one pass over the queries measured, per pipeline. */
    private record Pass(Accumulators[] acc, MeanAccumulator firstStageMs, int evaluated) {
    }

    private Pass pass(List<Query> queries, List<RerankPipeline> pipelines, AnswerGenerator generator, String task) {
        Map<String, AnswerKey> answers = dataset.answers().orElse(null);
        Map<String, Document> corpus = dataset.corpus();
        int p = pipelines.size();
        Accumulators[] acc = new Accumulators[p];
        for (int i = 0; i < p; i++) {
            acc[i] = new Accumulators(queries.size());
        }
        MeanAccumulator firstStageMs = new MeanAccumulator();
        int evaluated = 0;
        try (Progress progress = Progress.start(task, queries.size(), showProgress)) {
            for (Query query : queries) {
                long start = System.nanoTime();
                List<Candidate> candidates = firstStage.retrieve(query);
                double fsMs = (System.nanoTime() - start) / 1e6;
                firstStageMs.add(fsMs);
                Map<String, Integer> judgements = dataset.qrels().get(query.id());
                boolean judgedRelevant = judgements != null && RankingMetrics.hasRelevant(judgements);
                if (judgedRelevant) {
                    evaluated++;
                }
                AnswerKey key = answers == null ? null : answers.get(query.id());
                for (int i = 0; i < p; i++) {
                    long t0 = System.nanoTime();
                    Ranking ranking = pipelines.get(i).rank(query, candidates);
                    double rerankMs = (System.nanoTime() - t0) / 1e6;
                    acc[i].record(fsMs + rerankMs, rerankMs, ranking);
                    if (judgedRelevant) {
                        acc[i].ndcg.add(RankingMetrics.ndcg(ranking.docIds(), judgements, 10));
                        acc[i].mrr.add(RankingMetrics.mrr(ranking.docIds(), judgements, 10));
                        acc[i].recall.add(RankingMetrics.recall(ranking.docIds(), judgements, 100));
                        acc[i].p5.add(RankingMetrics.precision(ranking.docIds(), judgements, 5));
                    }
                    if (key != null) {
                        scoreAnswers(acc[i], generator, query, key, topPassages(corpus, ranking.docIds()));
                    }
                }
                progress.step(1);
            }
        }
        return new Pass(acc, firstStageMs, evaluated);
    }

    private static void scoreAnswers(Accumulators acc, AnswerGenerator generator, Query query, AnswerKey key,
                                     List<String> top) {
        if (key.answerable()) {
            acc.answerRecall.add(AnswerMetrics.answerInPassages(key.answers(), top) ? 1 : 0);
        }
        if (generator == null) {
            return;
        }
        String reply = generator.answer(query.text(), top);
        if (key.answerable()) {
            acc.exactMatch.add(AnswerMetrics.exactMatch(reply, key.answers()));
            acc.f1.add(AnswerMetrics.tokenF1(reply, key.answers()));
        } else {
            acc.declined.add(AnswerGenerator.declined(reply) ? 1 : 0);
        }
    }

    private static List<String> topPassages(Map<String, Document> corpus, List<String> ranking) {
        List<String> top = new ArrayList<>(ANSWER_TOP_K);
        for (String id : ranking) {
            if (top.size() == ANSWER_TOP_K) {
                break;
            }
            Document doc = corpus.get(id);
            if (doc != null) {
                top.add(doc.passage());
            }
        }
        return top;
    }

    /** One untimed pass on the first query, so class loading and native start-up do not land in p99. */
    private void warmUp(List<Query> queries) {
        if (queries.isEmpty()) {
            return;
        }
        List<Candidate> candidates = firstStage.retrieve(queries.get(0));
        for (RerankPipeline pipeline : pipelines) {
            pipeline.rank(queries.get(0), candidates);
        }
    }

    private static String names(List<RerankPipeline> pipelines) {
        List<String> names = new ArrayList<>();
        for (RerankPipeline pipeline : pipelines) {
            names.add(pipeline.name());
        }
        return String.join(",", names);
    }

    private static final class Accumulators {
        final double[] latencies;
        int n;
        double totalMs;
        double rerankMs;
        long pairs;
        long depth;
        long cacheHits;
        long batches;
        final Map<Integer, Integer> depths = new java.util.TreeMap<>();
        final Map<String, Integer> fallbacks = new java.util.TreeMap<>();
        final MeanAccumulator ndcg = new MeanAccumulator();
        final MeanAccumulator mrr = new MeanAccumulator();
        final MeanAccumulator recall = new MeanAccumulator();
        final MeanAccumulator p5 = new MeanAccumulator();
        final MeanAccumulator answerRecall = new MeanAccumulator();
        final MeanAccumulator exactMatch = new MeanAccumulator();
        final MeanAccumulator f1 = new MeanAccumulator();
        final MeanAccumulator declined = new MeanAccumulator();

        Accumulators(int queries) {
            latencies = new double[queries];
        }

        void record(double latencyMs, double rerank, Ranking ranking) {
            latencies[n++] = latencyMs;
            totalMs += latencyMs;
            rerankMs += rerank;
            pairs += ranking.pairs();
            depth += ranking.depth();
            cacheHits += ranking.cacheHits();
            batches += ranking.batches();
            depths.merge(ranking.depth(), 1, Integer::sum);
            if (ranking.fallback() != null) {
                fallbacks.merge(ranking.fallback(), 1, Integer::sum);
            }
        }

        PipelineResult result(RerankPipeline pipeline, String name, String cache) {
            Latencies latency = Latencies.of(java.util.Arrays.copyOf(latencies, n));
            double qps = totalMs == 0 ? 0 : n / (totalMs / 1000.0);
            Double pps = pairs == 0 || rerankMs == 0 ? null : pairs / (rerankMs / 1000.0);
            return new PipelineResult(name, pipeline.modelId(), pipeline.engine(), ndcg.count(),
                    orZero(ndcg), orZero(mrr), orZero(recall), orZero(p5), answerRecall.mean(),
                    answerRecall.count() == 0 ? null : answerRecall.count(), exactMatch.mean(), f1.mean(),
                    declined.mean(), latency, qps, pps, n == 0 ? 0 : (double) depth / n, n == 0 ? 0 : rerankMs / n,
                    cache, cache == null || n == 0 ? null : (double) cacheHits / n,
                    batches == 0 || n == 0 ? null : (double) batches / n, depths, fallbacks, pipeline.details());
        }

        private static double orZero(MeanAccumulator m) {
            return m.mean() == null ? 0 : m.mean();
        }
    }

    public static final class Builder {
        private BeirDataset dataset;
        private FirstStage firstStage;
        private List<RerankPipeline> pipelines = List.of();
        private int maxQueries;
        private boolean showProgress;
        private AnswerGenerator generator;
        private String chatModelDescription;

        public Builder dataset(BeirDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        public Builder firstStage(FirstStage firstStage) {
            this.firstStage = firstStage;
            return this;
        }

        public Builder pipelines(List<RerankPipeline> pipelines) {
            if (pipelines == null || pipelines.isEmpty()) {
                throw new IllegalArgumentException("pipelines cannot be empty");
            }
            this.pipelines = pipelines;
            return this;
        }

        /** At most this many queries (every k-th), 0 = all. */
        public Builder maxQueries(int maxQueries) {
            if (maxQueries < 0) {
                throw new IllegalArgumentException("maxQueries must be >= 0, was " + maxQueries);
            }
            this.maxQueries = maxQueries;
            return this;
        }

        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Generates answers from the top 8 for exact match / F1 / declined (optional). */
        public Builder answerGenerator(AnswerGenerator generator, String description) {
            this.generator = generator;
            this.chatModelDescription = generator == null ? null : description;
            return this;
        }

        public Evaluator build() {
            ensureNotNull(dataset, "dataset");
            ensureNotNull(firstStage, "firstStage");
            if (pipelines.isEmpty()) {
                throw new IllegalArgumentException("pipelines cannot be empty");
            }
            return new Evaluator(this);
        }
    }
}
