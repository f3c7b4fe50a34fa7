package dev.rerank4j.eval.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.langchain4j.rag.content.Content;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.RedisScoreCache;
import dev.rerank4j.crossencoder.cache.SharedScoreCacheStats;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.FallbackReason;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.metrics.Latencies;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.testkit.RedisServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code soak}: N threads send M rerank requests each (a Zipf mix of repeated and new pairs over the tiny model)
 * through the whole production stack — cascade with a deadline and fail-open, local cache, Redis — while faults are
 * injected: the scorer throws or stalls past the deadline now and then, and Redis is killed at 30 % of the requests
 * and restarted at 50 %. Every result is checked against scores computed sequentially by the plain model; heap and
 * process RSS are sampled for a native leak. Exit code 0 only if no request failed, no result was wrong and no leak
 * was suspected. Writes {@code soak.json} and {@code soak.md} to {@code --out}.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Soak and fault run of the cascade + L1 + Redis L2 stack (checks every result, samples heap and RSS).")
public final class SoakCommand implements Callable<Integer> {


    @Option(names = "--threads", defaultValue = "4", description = "concurrent clients (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--requests", defaultValue = "500", description = "requests per client (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--queries", defaultValue = "400", description = "distinct queries (default: ${DEFAULT-VALUE})")
    int queries;



    @Option(names = "--max-results", defaultValue = "8", description = "contents returned (default: ${DEFAULT-VALUE})")
    int maxResults;

    @Option(names = "--deadline-ms", defaultValue = "1000", description = "cascade deadline (default: ${DEFAULT-VALUE})")
    long deadlineMs;

    @Option(names = "--fail-rate", defaultValue = "0.02", description = "share of model calls that throw (default: ${DEFAULT-VALUE})")
    double failRate;

    @Option(names = "--stall-rate", defaultValue = "0.01", description = "share of model calls that stall past the deadline (default: ${DEFAULT-VALUE})")
    double stallRate;

    @Option(names = "--l1-size", defaultValue = "5000", description = "local cache entries (default: ${DEFAULT-VALUE})")
    long l1Size;


    @Option(names = "--no-redis", description = "run without the L2 cache")
    boolean noRedis;

    @Option(names = "--redis-cool-down-ms", defaultValue = "1000", description = "circuit breaker cool-down (default: ${DEFAULT-VALUE})")
    long coolDownMs;

    @Option(names = "--sample-ms", defaultValue = "200", description = "heap/RSS sampling interval (default: ${DEFAULT-VALUE})")
    long sampleMs;

    @Option(names = "--rss-growth-limit-mb", defaultValue = "64",
            description = "largest growth of resident memory outside the heap (run with -Xms=-Xmx -XX:+AlwaysPreTouch; "
                    + "else RSS) from the 2nd to the last quarter of the run before a native leak is suspected (default: ${DEFAULT-VALUE})")
    long rssGrowthLimitMb;

    @Option(names = "--tolerance", defaultValue = "1e-4", description = "score difference allowed against sequential scoring (default: ${DEFAULT-VALUE})")
    double tolerance;


    @Option(names = "--out", required = true, description = "output directory for soak.json and soak.md")
    Path out;

    @Mixin
    WorkloadOptions workload;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path modelDir = workload.modelDirectory();
        if (threads < 1 || requests < 1) {
            throw new IllegalArgumentException("--threads and --requests must be >= 1");
        }
        List<SyntheticWorkload.Request> stream = workload.workload(queries).stream(threads * requests);
        Map<Integer, double[]> reference = sequentialScores(modelDir, stream);

        RedisServerProcess ownRedis = workload.redisUri == null && !noRedis ? RedisServerProcess.start() : null;
        try (CrossEncoderScoringModel crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(modelDir).build();
             RedisScoreCache shared = noRedis ? null : RedisScoreCache.builder()
                     .uri(ownRedis != null ? ownRedis.uri() : workload.redisUri).keyPrefix("soak-" + workload.seed + ":" + System.nanoTime() + ":")
                     .coolDown(Duration.ofMillis(coolDownMs)).build();
             ResourceSampler sampler = new ResourceSampler(sampleMs)) {
            Run run = new Run(stream, reference, crossEncoder, shared, ownRedis);
            run.execute();
            sampler.close();
            Map<String, Object> report = report(run, sampler.summary(rssGrowthLimitMb * 1024 * 1024), ownRedis != null);
            report.put("memory_samples", sampler.samples().stream()
                    .map(s -> List.of(s.millis(), mb(s.heapUsed()), mb(s.heapCommitted()), mb(s.rss()))).toList());
            report.put("memory_samples_columns", List.of("ms", "heap_used_mb", "heap_committed_mb", "rss_mb"));
            write(report);
            boolean passed = run.failed.get() == 0 && run.mismatches.get() == 0
                    && !Boolean.TRUE.equals(((Map<?, ?>) report.get("memory")).get("leak_suspected"));
            return passed ? 0 : 1;
        } finally {
            if (ownRedis != null) {
                ownRedis.close();
            }
        }
    }

    /** Scores of every query's candidates, one plain model call per query, before the run. */
    private Map<Integer, double[]> sequentialScores(Path modelDir, List<SyntheticWorkload.Request> stream) {
        Map<Integer, double[]> scores = new LinkedHashMap<>();
        try (CrossEncoderScoringModel plain = CrossEncoderScoringModel.builder().modelDirectory(modelDir).build()) {
            for (SyntheticWorkload.Request request : stream) {
                scores.computeIfAbsent(request.queryIndex(),
                        q -> plain.scorePassages(request.query(), request.passages()).scores());
            }
        }
        return scores;
    }

    /** One soak run: the stack, the clients and what they saw. */
    private final class Run {
        final List<SyntheticWorkload.Request> stream;
        final Map<Integer, double[]> reference;
        final FaultInjectingScoringModel faulty;
        final CachingScoringModel cache;
        final CascadeContentAggregator cascade;
        final RedisScoreCache shared;
        final RedisServerProcess ownRedis;
        final ThreadLocal<RerankEvent> lastEvent = new ThreadLocal<>();
        final AtomicInteger next = new AtomicInteger();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong mismatches = new AtomicLong();
        final Map<String, Long> outcomes = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        final double[] latencies;
        volatile SharedScoreCacheStats atRestart;
        long wallNanos;

        Run(List<SyntheticWorkload.Request> stream, Map<Integer, double[]> reference,
            CrossEncoderScoringModel crossEncoder, RedisScoreCache shared, RedisServerProcess ownRedis) {
            this.stream = stream;
            this.reference = reference;
            this.shared = shared;
            this.ownRedis = ownRedis;
            this.latencies = new double[stream.size()];
            long stallMs = deadlineMs + Math.max(250, deadlineMs / 2);
            this.faulty = new FaultInjectingScoringModel(crossEncoder, failRate, stallRate, stallMs);
            this.cache = CachingScoringModel.builder().delegate(faulty).modelIdentity(crossEncoder.modelIdentity())
                    .maximumSize(l1Size).sharedCache(shared).build();
            this.cascade = CascadeContentAggregator.builder().scoringModel(cache).rerankDepth(workload.candidates)
                    .firstStageSize(workload.candidates).maxResults(maxResults).deadline(Duration.ofMillis(deadlineMs))
                    .failOpen(true).listener(lastEvent::set).build();
            outcomes.put("reranked", 0L);
            for (FallbackReason reason : FallbackReason.values()) {
                outcomes.put(reason.name().toLowerCase(), 0L);
            }
        }

        void execute() throws Exception {
            ExecutorService clients = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    running.add(clients.submit(this::client));
                }
                for (Future<?> client : running) {
                    client.get();
                }
            } finally {
                clients.shutdownNow();
            }
            wallNanos = System.nanoTime() - start;
        }

        private void client() {
            int total = stream.size();
            for (int index = next.getAndIncrement(); index < total; index = next.getAndIncrement()) {
                int i = index;
                injectRedisFaults(i, total);
                SyntheticWorkload.Request request = stream.get(i);
                List<Content> firstStage = request.passages().stream().map(Content::from).toList();
                long start = System.nanoTime();
                try {
                    List<Content> result = cascade.rerank(request.query(), firstStage);
                    latencies[i] = (System.nanoTime() - start) / 1e6;
                    RerankEvent event = lastEvent.get();
                    Optional<FallbackReason> fallback = event.fallback();
                    outcomes.merge(fallback.map(r -> r.name().toLowerCase()).orElse("reranked"), 1L, Long::sum);
                    ResultCheck.check(request.passages(), reference.get(request.queryIndex()), result, fallback,
                            maxResults, tolerance).ifPresent(problem -> {
                                mismatches.incrementAndGet();
                                note("request " + i + ": " + problem);
                            });
                } catch (RuntimeException e) {
                    latencies[i] = (System.nanoTime() - start) / 1e6;
                    failed.incrementAndGet();
                    note("request " + i + " failed: " + e);
                }
            }
        }

        /** Redis dies at 30 % of the requests and comes back at 50 % (only a Redis this command started). */
        private void injectRedisFaults(int index, int total) {
            if (ownRedis == null) {
                return;
            }
            if (index == total * 3 / 10) {
                ownRedis.kill();
            } else if (index == total / 2) {
                ownRedis.restart();
                atRestart = shared.stats();
            }
        }

        private void note(String problem) {
            if (problems.size() < 20) {
                problems.add(problem);
            }
        }
    }

    private Map<String, Object> report(Run run, ResourceSampler.Summary memory, boolean redisRestarted) {
        Map<String, Object> report = new LinkedHashMap<>();
        int total = run.stream.size();
        report.put("command", "soak --threads " + threads + " --requests " + requests + " --queries " + queries
                + " --candidates " + workload.candidates + " --zipf " + workload.zipf + " --deadline-ms " + deadlineMs + " --fail-rate "
                + failRate + " --stall-rate " + stallRate + " --l1-size " + l1Size);
        report.put("requests", total);
        report.put("threads", threads);
        report.put("wall_s", round(run.wallNanos / 1e9));
        report.put("requests_per_s", round(total / (run.wallNanos / 1e9)));
        Latencies latency = Latencies.of(run.latencies);
        report.put("latency_ms", Map.of("p50", round(latency.p50()), "p95", round(latency.p95()), "p99", round(latency.p99())));
        report.put("failed_requests", run.failed.get());
        report.put("wrong_results", run.mismatches.get());
        report.put("outcomes", new LinkedHashMap<>(run.outcomes));
        report.put("injected", Map.of("scorer_failures", run.faulty.failures(), "scorer_stalls", run.faulty.stalls(),
                "redis_killed_and_restarted", redisRestarted));
        var l1 = run.cache.stats();
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("l1_hit_rate", round(l1.hitRate()));
        cache.put("l1_evictions", l1.evictionCount());
        cache.put("joined_in_flight", run.cache.joinedInFlight());
        if (run.shared != null) {
            SharedScoreCacheStats l2 = run.shared.stats();
            cache.put("l2_hit_rate", round(l2.hitRate()));
            cache.put("l2_hits", l2.hits());
            cache.put("l2_read_errors", l2.readErrors());
            cache.put("l2_write_errors", l2.writeErrors());
            cache.put("l2_skipped_by_breaker", l2.skipped());
            cache.put("l2_corrupt", l2.corruptValues());
            cache.put("l2_breaker_open_at_end", l2.breakerOpen());
            if (run.atRestart != null) {
                cache.put("l2_writes_after_restart", l2.writes() - run.atRestart.writes());
                cache.put("l2_hits_after_restart", l2.hits() - run.atRestart.hits());
            }
        }
        report.put("cache", cache);
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("samples", memory.samples());
        mem.put("heap_max_used_mb", mb(memory.heapMaxUsed()));
        mem.put("heap_max_committed_mb", mb(memory.heapMaxCommitted()));
        mem.put("rss_first_mb", mb(memory.rssFirst()));
        mem.put("rss_peak_mb", mb(memory.rssPeak()));
        mem.put("heap_pretouched", memory.heapPretouched());
        mem.put("judged", memory.heapPretouched() ? "RSS outside the heap" : "RSS (heap not pre-touched: includes heap growth)");
        mem.put("judged_median_2nd_quarter_mb", mb(memory.judgedSecondQuarterMedian()));
        mem.put("judged_median_last_quarter_mb", mb(memory.judgedLastQuarterMedian()));
        mem.put("judged_growth_mb", mb(memory.judgedGrowth()));
        mem.put("growth_limit_mb", rssGrowthLimitMb);
        mem.put("rss_known", memory.rssKnown());
        mem.put("leak_suspected", memory.leakSuspected());
        report.put("memory", mem);
        report.put("problems", List.copyOf(run.problems));
        report.put("machine", MachineInfo.describe());
        return report;
    }

    private void write(Map<String, Object> report) throws java.io.IOException {
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("soak.json").toFile(), report);
        String markdown = markdown(report);
        Files.writeString(out.resolve("soak.md"), markdown);
        spec.commandLine().getOut().print(markdown);
        spec.commandLine().getOut().flush();
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r) {
        Map<String, Object> mem = (Map<String, Object>) r.get("memory");
        Map<String, Object> cache = (Map<String, Object>) r.get("cache");
        Map<String, Object> injected = (Map<String, Object>) r.get("injected");
        Map<String, Object> latency = (Map<String, Object>) r.get("latency_ms");
        StringBuilder md = new StringBuilder();
        md.append("| measure | value |\n| --- | --- |\n");
        row(md, "requests (threads)", r.get("requests") + " (" + r.get("threads") + ")");
        row(md, "failed requests / wrong results", r.get("failed_requests") + " / " + r.get("wrong_results"));
        row(md, "outcomes", r.get("outcomes"));
        row(md, "injected faults", injected);
        row(md, "requests/s; latency p50 / p95 / p99 ms", r.get("requests_per_s") + "; " + latency.get("p50") + " / "
                + latency.get("p95") + " / " + latency.get("p99"));
        row(md, "cache", cache);
        row(md, "heap max used / committed MB", mem.get("heap_max_used_mb") + " / " + mem.get("heap_max_committed_mb"));
        row(md, "RSS first / peak MB", mem.get("rss_first_mb") + " / " + mem.get("rss_peak_mb"));
        row(md, mem.get("judged") + ", median 2nd quarter -> last quarter MB",
                mem.get("judged_median_2nd_quarter_mb") + " -> " + mem.get("judged_median_last_quarter_mb")
                        + " (growth " + mem.get("judged_growth_mb") + ", limit " + mem.get("growth_limit_mb") + ")");
        row(md, "native leak suspected", mem.get("leak_suspected"));
        return md.toString();
    }

    private static void row(StringBuilder md, String name, Object value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    static double mb(long bytes) {
        return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
    }
}
