package dev.rerank4j.eval.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.runtime.internal.AttentionFusion;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scorer's batches run through plain ONNX Runtime sessions, to measure ONNX Runtime itself apart from
 * rerank4j's scheduling: its thread-pool settings (intra-op threads, spinning, affinity, a global pool, several
 * runs at once) and, with its profiler, where the time of a run goes per operator. The sessions load the graph the
 * scorer loads: with the load-time attention fusion applied where it matches ({@link AttentionFusion}), in the mode
 * the scorer picks for these batches.
 */
final class OrtSessionProbe {

    /** One way to run the batches: threads per run, runs at once, session config entries, a global thread pool. */
    record Setting(String name, int threadsPerRun, int runs, Map<String, String> config, boolean globalPool) {
    }

    private final Path model;
    private final List<TokenBatch> batches;
    private final int pairs;
    private byte[] fusedGraph;
    private boolean fusedGraphRead;

    OrtSessionProbe(Path model, List<TokenBatch> batches) {
        this.model = model;
        this.batches = batches;
        this.pairs = batches.stream().mapToInt(TokenBatch::batchSize).sum();
    }

    /**
     * Creates the process's ONNX Runtime environment with a global intra-op pool of {@code cores} threads, so that
     * a setting can use it. Only possible before anything else created the environment; false otherwise.
     */
    static boolean createEnvironmentWithGlobalPool(int cores) {
        try (OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions()) {
            threading.setGlobalIntraOpNumThreads(cores);
            threading.setGlobalInterOpNumThreads(1);
            OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "rerank4j-bench", threading);
            return true;
        } catch (OrtException | IllegalStateException e) {
            return false;
        }
    }

    /** The thread settings worth comparing on a machine with this many cores. */
    static List<Setting> threadingSettings(int cores, boolean globalPool) {
        String pinned = String.join(";", java.util.stream.IntStream.rangeClosed(2, cores).mapToObj(Integer::toString).toList());
        List<Setting> settings = new ArrayList<>();
        settings.add(new Setting("1 run x " + cores + " threads (spinning, ORT default)", cores, 1, Map.of(), false));
        settings.add(new Setting("1 run x " + cores + " threads, no spinning", cores, 1,
                Map.of("session.intra_op.allow_spinning", "0"), false));
        if (cores > 1) {
            settings.add(new Setting("1 run x " + cores + " threads, pinned to cores", cores, 1,
                    Map.of("session.intra_op_thread_affinities", pinned), false));
        }
        if (globalPool) {
            settings.add(new Setting("1 run x " + cores + " threads, global thread pool", cores, 1, Map.of(), true));
        }
        settings.add(new Setting(cores + " runs x 1 thread", 1, cores, Map.of(), false));
        settings.add(new Setting(cores + " runs x " + cores + " threads (oversubscribed)", cores, cores, Map.of(), false));
        return settings;
    }

    /** Pairs/s of each setting: the median of {@code repeats} passes over all batches, settings interleaved. */
    Map<String, Double> pairsPerSecond(List<Setting> settings, int repeats) throws Exception {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            for (Setting setting : settings) {
                try (OrtSession session = open(setting, null)) {
                    run(session, batches.subList(0, Math.min(3, batches.size())), setting.runs()); // warm-up
                    long start = System.nanoTime();
                    run(session, batches, setting.runs());
                    double rate = pairs / ((System.nanoTime() - start) / 1e9);
                    rates.computeIfAbsent(setting.name(), k -> new ArrayList<>()).add(rate);
                    System.err.printf("ORT threading: %-48s %6.1f pairs/s%n", setting.name(), rate);
                }
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        rates.forEach((name, values) -> medians.put(name, BenchStats.median(values)));
        return medians;
    }

    /**
     * ONNX Runtime's profiler over one single-threaded pass of all batches: kernel time per operator type, largest
     * first, as milliseconds and share of all kernel time.
     */
    Map<String, Object> profile(Path directory) throws Exception {
        Files.createDirectories(directory);
        Setting single = new Setting("profile", 1, 1, Map.of(), false);
        String file;
        try (OrtSession session = open(single, directory.resolve("ort-profile").toString())) {
            run(session, batches, 1);
            file = session.endProfiling();
        }
        Map<String, Double> micros = new HashMap<>();
        double total = 0;
        for (JsonNode event : new ObjectMapper().readTree(Path.of(file).toFile())) {
            // an If's time includes the nodes of the branch it ran, which the profiler reports themselves
            if ("Node".equals(event.path("cat").asText()) && event.path("name").asText().endsWith("_kernel_time")
                    && !"If".equals(event.path("args").path("op_name").asText())) {
                double dur = event.path("dur").asDouble();
                micros.merge(event.path("args").path("op_name").asText("?"), dur, Double::sum);
                total += dur;
            }
        }
        Map<String, Object> byOperator = new LinkedHashMap<>();
        double all = total;
        micros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .forEach(e -> byOperator.put(e.getKey(), Map.of("ms", BenchStats.round(e.getValue() / 1000),
                        "share", BenchStats.round(e.getValue() / all))));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("kernel_ms", BenchStats.round(total / 1000));
        result.put("pairs", pairs);
        result.put("trace", file);
        result.put("by_operator", byOperator);
        return result;
    }

    private OrtSession open(Setting setting, String profilePrefix) throws OrtException, java.io.IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            if (setting.globalPool()) {
                options.disablePerSessionThreads();
            } else {
                options.setIntraOpNumThreads(setting.threadsPerRun());
            }
            for (Map.Entry<String, String> entry : setting.config().entrySet()) {
                options.addConfigEntry(entry.getKey(), entry.getValue());
            }
            if (profilePrefix != null) {
                options.enableProfiling(profilePrefix);
            }
            byte[] graph = fusedGraph();
            if (graph != null) {
                options.addConfigEntry("session.model_external_initializers_file_folder_path",
                        model.toAbsolutePath().getParent().toString());
                return env.createSession(graph, options);
            }
            return env.createSession(model.toString(), options);
        }
    }

    /**
     * The graph the scorer loads, rewritten once for all sessions (null: the file as it is): unpadded batches get the
     * graph without the padding mask, padded ones the If per block.
     */
    private byte[] fusedGraph() throws java.io.IOException {
        if (!fusedGraphRead) {
            boolean unpadded = batches.stream().allMatch(b -> b.paddedTokens() == b.realTokens());
            fusedGraph = AttentionFusion.apply(Files.readAllBytes(model), unpadded
                    ? AttentionFusion.Mode.UNPADDED_BATCHES : AttentionFusion.Mode.ANY_BATCH)
                    instanceof AttentionFusion.Fused fused ? fused.model() : null;
            fusedGraphRead = true;
        }
        return fusedGraph;
    }

    /** Runs the batches with {@code runs} threads taking the next batch in turn. */
    private static void run(OrtSession session, List<TokenBatch> batches, int runs) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(runs);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < runs; t++) {
                done.add(threads.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < batches.size()) {
                        runOne(session, batches.get(i));
                    }
                    return null;
                }));
            }
            for (Future<Void> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static void runOne(OrtSession session, TokenBatch batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (String name : session.getInputNames()) {
                long[] values = switch (name) {
                    case "input_ids" -> batch.inputIds();
                    case "attention_mask" -> batch.attentionMask();
                    case "token_type_ids" -> batch.tokenTypeIds();
                    default -> throw new IllegalStateException("unexpected model input " + name);
                };
                feeds.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), batch.shape()));
            }
            try (OrtSession.Result ignored = session.run(feeds)) {
                // only the time matters
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }
}
