package dev.rerank4j.eval.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.cache.RedisScoreCache;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.testkit.RedisServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fleet}: K replicas behind a round-robin load balancer, each with its own local score cache, with and
 * without one shared Redis, serve the same Zipf-distributed request stream. Reports model calls and computed pairs
 * per request for each K: without the shared cache every replica recomputes what the others already scored. The
 * replicas are isolated instances in one JVM (separate local caches and Redis clients, one model in memory) and
 * requests are dispatched one at a time, so the counts are the same on any machine.
 */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = "Fleet simulation: model calls per request with and without the shared Redis cache, K replicas.")
public final class FleetCommand implements Callable<Integer> {


    @Option(names = "--replicas", split = ",", defaultValue = "1,2,4", description = "fleet sizes (default: ${DEFAULT-VALUE})")
    List<Integer> replicas;

    @Option(names = "--requests", defaultValue = "4000", description = "requests per configuration (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--queries", defaultValue = "1000", description = "distinct queries (default: ${DEFAULT-VALUE})")
    int queries;



    @Option(names = "--l1-size", defaultValue = "10000", description = "local cache entries per replica (default: ${DEFAULT-VALUE})")
    long l1Size;


    @Option(names = "--redis-timeout-ms", defaultValue = "2000",
            description = "Redis round-trip timeout: generous, a timeout would change the counts (default: ${DEFAULT-VALUE})")
    long redisTimeoutMs;


    @Option(names = "--out", required = true, description = "output directory for fleet.json and fleet.md")
    Path out;

    @Mixin
    WorkloadOptions workload;

    @Spec
    CommandSpec spec;

    /** The model, counting what reaches it. */
    static final class Counting implements ScoringModel {
        final ScoringModel delegate;
        final AtomicLong calls = new AtomicLong();
        final AtomicLong pairs = new AtomicLong();

        Counting(ScoringModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            calls.incrementAndGet();
            pairs.addAndGet(segments.size());
            return delegate.scoreAll(segments, query);
        }
    }

    /** One configuration's outcome. */
    record Row(int replicas, boolean shared, int requests, long modelCalls, long computedPairs, double l1HitRate,
               double l2HitRate) {
        double callsPerRequest() {
            return (double) modelCalls / requests;
        }

        double pairsPerRequest() {
            return (double) computedPairs / requests;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path modelDir = workload.modelDirectory();
        List<SyntheticWorkload.Request> stream = workload.workload(queries).stream(requests);
        RedisServerProcess ownRedis = workload.redisUri == null ? RedisServerProcess.start() : null;
        String uri = ownRedis != null ? ownRedis.uri() : workload.redisUri;
        List<Row> rows = new ArrayList<>();
        try (CrossEncoderScoringModel crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(modelDir).build()) {
            for (int k : replicas) {
                if (k < 1) {
                    throw new IllegalArgumentException("--replicas must be >= 1, was " + k);
                }
                for (boolean shared : new boolean[]{false, true}) {
                    rows.add(simulate(crossEncoder, stream, k, shared, uri));
                }
            }
        } finally {
            if (ownRedis != null) {
                ownRedis.close();
            }
        }
        write(rows);
        return 0;
    }

    private Row simulate(CrossEncoderScoringModel crossEncoder, List<SyntheticWorkload.Request> stream, int k,
                         boolean shared, String uri) {
        String prefix = "fleet-" + workload.seed + "-" + k + "-" + System.nanoTime() + ":";
        List<RedisScoreCache> redis = new ArrayList<>();
        List<Counting> models = new ArrayList<>();
        List<CachingScoringModel> fleet = new ArrayList<>();
        try {
            for (int r = 0; r < k; r++) {
                RedisScoreCache l2 = shared ? RedisScoreCache.builder().uri(uri).keyPrefix(prefix)
                        .timeout(java.time.Duration.ofMillis(redisTimeoutMs)).build() : null;
                if (l2 != null) {
                    redis.add(l2);
                }
                Counting counting = new Counting(crossEncoder);
                models.add(counting);
                fleet.add(CachingScoringModel.builder().delegate(counting).modelIdentity(crossEncoder.modelIdentity())
                        .maximumSize(l1Size).sharedCache(l2).build());
            }
            for (int i = 0; i < stream.size(); i++) {
                SyntheticWorkload.Request request = stream.get(i);
                fleet.get(i % k).scoreAll(request.passages().stream().map(TextSegment::from).toList(), request.query());
            }
            long calls = models.stream().mapToLong(m -> m.calls.get()).sum();
            long pairs = models.stream().mapToLong(m -> m.pairs.get()).sum();
            long l1Hits = fleet.stream().mapToLong(c -> c.stats().hitCount()).sum();
            long l1Reads = fleet.stream().mapToLong(c -> c.stats().requestCount()).sum();
            long l2Hits = redis.stream().mapToLong(c -> c.stats().hits()).sum();
            long l2Reads = redis.stream().mapToLong(c -> c.stats().hits() + c.stats().misses()).sum();
            long errors = redis.stream().mapToLong(c -> c.stats().readErrors() + c.stats().writeErrors()).sum();
            if (errors > 0) {
                throw new IllegalStateException(errors + " Redis errors during the simulation: the counts would not be comparable");
            }
            return new Row(k, shared, stream.size(), calls, pairs, l1Reads == 0 ? 0 : (double) l1Hits / l1Reads,
                    l2Reads == 0 ? 0 : (double) l2Hits / l2Reads);
        } finally {
            redis.forEach(RedisScoreCache::close);
        }
    }

    private void write(List<Row> rows) throws java.io.IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder("| replicas | shared Redis L2 | model calls / request | pairs computed / request"
                + " | L1 hit rate | L2 hit rate |\n| --- | --- | --- | --- | --- | --- |\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row row : rows) {
            md.append(String.format(java.util.Locale.ROOT, "| %d | %s | %.3f | %.2f | %.3f | %s |%n", row.replicas(),
                    row.shared() ? "yes" : "no", row.callsPerRequest(), row.pairsPerRequest(), row.l1HitRate(),
                    row.shared() ? String.format(java.util.Locale.ROOT, "%.3f", row.l2HitRate()) : "-"));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("replicas", row.replicas());
            entry.put("shared_l2", row.shared());
            entry.put("requests", row.requests());
            entry.put("model_calls", row.modelCalls());
            entry.put("computed_pairs", row.computedPairs());
            entry.put("model_calls_per_request", row.callsPerRequest());
            entry.put("computed_pairs_per_request", row.pairsPerRequest());
            entry.put("l1_hit_rate", row.l1HitRate());
            entry.put("l2_hit_rate", row.shared() ? row.l2HitRate() : null);
            json.add(entry);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "fleet --replicas " + replicas.toString().replaceAll("[\\[\\] ]", "") + " --requests "
                + requests + " --queries " + queries + " --candidates " + workload.candidates + " --zipf " + workload.zipf
                + " --l1-size " + l1Size + " --seed " + workload.seed);
        report.put("rows", json);
        report.put("machine", MachineInfo.describe());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("fleet.json").toFile(), report);
        Files.writeString(out.resolve("fleet.md"), md.toString());
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().flush();
    }
}
