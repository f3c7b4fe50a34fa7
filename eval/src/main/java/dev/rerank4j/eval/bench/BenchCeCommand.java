package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rerank4j.crossencoder.decoder.PromptEncoder;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.model.ModelBuilder;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.rag.AdaptiveDepthPolicy;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.AttentionFusion;
import dev.rerank4j.crossencoder.runtime.internal.BatchPlanner;
import dev.rerank4j.crossencoder.runtime.internal.BatchSpec;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.crossencoder.runtime.internal.TokenBatch;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.metrics.Latencies;
import dev.rerank4j.eval.report.MachineInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code bench-ce}: this project's cross-encoder on each engine against LangChain4j's OnnxScoringModel, on the same
 * model file and the same requests (a query with its top-N dense candidates), at 1, 2 and 4 concurrent requests.
 * Reports pairs/s, tokens/s, latency percentiles, padding waste and the model's FLOP rate ({@link FlopModel}: BERT or
 * decoder) against the machine's fp32 matrix-multiply rate measured in the same run (PyTorch's and ONNX Runtime's,
 * the higher one the roofline). A decoder LLM reranker (Qwen3-Reranker, mxbai-rerank-v2) is measured on its prompts
 * (the token counts include the template), with {@value #UNCUT} to compare the last-token graph cut with full logits.
 */
@Command(name = "bench-ce", mixinStandardHelpOptions = true,
        description = "Benchmark cross-encoder scorers (rerank4j ONNX/PyTorch vs LangChain4j OnnxScoringModel).")
public final class BenchCeCommand implements Callable<Integer> {

    static final String ONNX = "rerank4j-onnx";
    static final String INT8 = "rerank4j-onnx-int8";
    static final String PYTORCH = "rerank4j-pytorch";
    static final String LC4J = "lc4j-onnx-scoring";
    static final String ONE_RUN = "rerank4j-onnx-one-run";
    static final String MERGED = "rerank4j-onnx-merged";
    static final String UNCUT = "rerank4j-onnx-uncut";
    static final String LARGE_BATCHES = "rerank4j-onnx-large-batches";
    static final String UNFUSED = "rerank4j-onnx-unfused";
    static final String PADDED = "rerank4j-onnx-padded";
    static final String INT8_FILE = "onnx/model_qint8.onnx";
    static final List<String> ALL = List.of(ONNX, PYTORCH, LC4J, INT8, UNCUT, ONE_RUN, MERGED, LARGE_BATCHES, UNFUSED, PADDED);

    @Mixin
    BenchOptions io;

    @Option(names = "--model", description = "cross-encoder model directory (default: ../shared/models/minilm-l6-ce)")
    Path model;

    @Option(names = "--depth", defaultValue = "30", description = "candidates per request (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--max-length", defaultValue = "512", description = "tokens per pair (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--queries", defaultValue = "20", description = "requests measured per run, spread over the queries (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed requests before each run (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,2,4", description = "concurrent requests (default: ${DEFAULT-VALUE})")
    List<Integer> concurrency;

    @Option(names = "--scorers", split = ",", defaultValue = ONNX + "," + PYTORCH + "," + LC4J + "," + INT8 + "," + UNCUT,
            description = "scorers to run (default: ${DEFAULT-VALUE}; those that do not apply to the model are skipped); "
                    + "also " + ONE_RUN + " (one run over all cores, the shape before the scheduler), " + MERGED
                    + " (concurrent requests share batches), " + LARGE_BATCHES + " (the GPU token budget per batch), "
                    + UNFUSED + " (the graph without the load-time attention fusion), " + PADDED
                    + " (batches may pad rows by up to 10 %, the bound without fused attention) and "
                    + ONNX + "@FILE (another ONNX file of the model directory, e.g. a fused or quantised export)")
    List<String> scorers;

    @Option(names = "--batch-size", defaultValue = "32", description = "rerank4j batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--max-padding-ratio",
            description = "rerank4j: largest padding share of a row before a new batch starts (default: the "
                    + "library's: 0 with fused attention, else 0.1)")
    Double maxPaddingRatio;

    @Option(names = "--runs", defaultValue = "0", description = "rerank4j: simultaneous runs, 0 = automatic (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--repeats", defaultValue = "1",
            description = "passes over all concurrencies; scorers alternate at each concurrency, figures are medians (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--gemm-repetitions", defaultValue = "10", description = "GEMM probes: best of N (default: ${DEFAULT-VALUE})")
    int gemmRepetitions;

    @Option(names = "--ort-threading", description = "also run the scorer's batches through plain ONNX Runtime sessions "
            + "with each thread-pool setting (spinning, affinity, global pool, runs x threads)")
    boolean ortThreading;

    @Option(names = "--profile", description = "also profile one single-threaded pass per ONNX file (fp32, int8) with "
            + "ONNX Runtime's profiler: kernel time per operator")
    boolean profile;

    @Option(names = "--sla-budget-ms", defaultValue = "0",
            description = "also run the cascade with adaptive depth at this budget under --sla-concurrency requests (0 = skip)")
    long slaBudgetMs;

    @Option(names = "--sla-concurrency", defaultValue = "4", description = "concurrent requests of the SLA run (default: ${DEFAULT-VALUE})")
    int slaConcurrency;

    @Option(names = "--sla-requests", defaultValue = "32", description = "requests of the SLA run (default: ${DEFAULT-VALUE})")
    int slaRequests;

    @Option(names = "--sla-min-depth", description = "the adaptive policy's minDepth in the SLA run, 0 to --depth "
            + "(default: the policy's, 8, or --depth when that is less; 0 lets it skip reranking when the queue alone "
            + "would use the budget)")
    Integer slaMinDepth;

    @Option(names = "--instruction", description = "decoder LLM rerankers: the prompt's instruction (default: the template's)")
    String instruction;

    @Option(names = "--device", defaultValue = "cpu", description = "rerank4j scorers: cpu or cuda[:N] (CUDA needs the "
            + "-Pcuda build; default: ${DEFAULT-VALUE})")
    String device;

    /** Runs the benchmark on its own (the eval CLI also exposes it as {@code rerank4j-eval bench-ce}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCeCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, was " + repeats);
        }
        if (slaMinDepth != null && (slaMinDepth < 0 || slaMinDepth > depth)) {
            throw new IllegalArgumentException("--sla-min-depth must be between 0 and --depth (" + depth + "), was "
                    + slaMinDepth);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        // a global ONNX Runtime thread pool can only be set up before anything else creates the environment
        boolean globalPool = ortThreading && OrtSessionProbe.createEnvironmentWithGlobalPool(cores);
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        Path modelDir = BenchInputs.model(model, "minilm-l6-ce", "--model");
        ModelDirectory directory = ModelDirectory.of(modelDir);
        Path candidatesFile = io.candidatesFile();
        RerankWorkload workload = RerankWorkload.load(io.data, io.split, candidatesFile, depth, queries);
        FlopModel flops = FlopModel.of(directory);
        int[][] lengths;
        FullBatch fullBatch;
        List<TokenBatch> plannedBatches = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength)) {
            PairEncoder encoder = pairEncoder(directory, tokenizer);
            // the batches the scorer makes on a CPU by default, for the plain-ONNX-Runtime probes
            BatchPlanner planner = new BatchPlanner(batchSize, Math.max(ModelBuilder.DEFAULT_CPU_MAX_BATCH_TOKENS,
                    maxLength), plannedPaddingRatio(directory));
            BatchSpec spec = ModelFamily.of(directory.config()).batchSpec(directory.config());
            lengths = tokenLengths(encoder, workload, planner, spec, plannedBatches);
            fullBatch = FullBatch.of(encoder, workload, flops, batchSize);
        }
        // plain ONNX Runtime sessions on the scorer's batches, one probe per file: each rewrites its graph once
        Map<Path, OrtSessionProbe> plainSessions = new HashMap<>();
        Function<Path, OrtSessionProbe> plainSessionsOf = file -> plainSessions.computeIfAbsent(
                file.toAbsolutePath().normalize(), f -> new OrtSessionProbe(f, plannedBatches));

        System.err.printf("bench-ce: %d requests x %d candidates from %s, model %s, max length %d, load average %s%n",
                workload.requests().size(), depth, candidatesFile, modelDir, maxLength, loadBefore);
        int hidden = directory.config().hiddenSize();
        int intermediate = directory.config().intermediateSize();
        // the ceilings are probed before the first and after every repeat, the best kept: on a busy machine a
        // single probe can land in a slow moment and make the model look faster than the hardware
        Probes probes = new Probes(hidden, intermediate, gemmRepetitions, cores);
        probes.measure();

        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, BenchScorer> open = new LinkedHashMap<>();
        try {
            for (String name : scorers) {
                String skip = skipReason(name, directory);
                if (skip != null) {
                    report.put(name, Map.of("skipped", skip));
                    System.err.printf("%-24s skipped: %s%n", name, skip);
                    continue;
                }
                BenchScorer scorer = open(name, modelDir);
                open.put(name, scorer);
                warmUp(scorer, workload);
            }
            Map<String, Map<Integer, List<Map<String, Object>>>> rows = new LinkedHashMap<>();
            for (int r = 0; r < repeats; r++) {
                for (int c : concurrency) {
                    for (Map.Entry<String, BenchScorer> scorer : open.entrySet()) {
                        Map<String, Object> row = measure(scorer.getValue(), workload, lengths, flops, c);
                        rows.computeIfAbsent(scorer.getKey(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(c, k -> new ArrayList<>()).add(row);
                        System.err.printf("%-24s c=%d  %7.1f pairs/s  p50 %7.1f ms  p95 %7.1f ms  waste %.3f  %.1f GFLOP/s  %.2f CPU s/pair%s%n",
                                scorer.getKey(), c, (Double) row.get("pairs_per_s"), (Double) row.get("p50_ms"),
                                (Double) row.get("p95_ms"), (Double) row.get("padding_waste"),
                                (Double) row.get("model_gflops_per_s"), (Double) row.get("cpu_seconds_per_pair"),
                                repeats > 1 ? "  [repeat " + (r + 1) + "]" : "");
                    }
                }
                probes.measure();
            }
            double gemm = probes.pytorch;
            double roofline = probes.roofline();
            rows.values().forEach(byConcurrency -> byConcurrency.values().forEach(passes -> passes.forEach(row -> {
                double rate = (Double) row.get("model_gflops_per_s");
                row.put("fraction_of_gemm", BenchStats.round(rate / gemm));
                row.put("fraction_of_roofline", BenchStats.round(rate / roofline));
            })));
            double[] reference = null;
            String referenceName = null;
            for (Map.Entry<String, BenchScorer> entry : open.entrySet()) {
                String name = entry.getKey();
                BenchScorer scorer = entry.getValue();
                Map<String, Object> result = summarise(rows.get(name));
                double fullBatchRate = fullBatch.gflopsPerSecond(scorer);
                result.put("full_batch_gflops_per_s", BenchStats.round(fullBatchRate));
                result.put("full_batch_fraction_of_gemm", BenchStats.round(fullBatchRate / gemm));
                result.put("full_batch_fraction_of_roofline", BenchStats.round(fullBatchRate / roofline));
                System.err.printf("%-24s full batch of %d longest passages: %.1f GFLOP/s (%.0f%% of roofline)%n",
                        name, fullBatch.passages().size(), fullBatchRate, 100 * fullBatchRate / roofline);
                double[] first = scorer.score(workload.requests().get(0).query(), workload.requests().get(0).passages());
                if (reference == null) {
                    reference = first;
                    referenceName = name;
                } else {
                    result.put("max_abs_score_diff_vs_" + referenceName, maxAbsDiff(reference, first));
                }
                result.put("engine", scorer.engine());
                report.put(name, result);
            }
            report.put("gemm_gflops", BenchStats.round(gemm));
            Map<String, Object> ort = new LinkedHashMap<>();
            ort.put("one_run_all_cores", BenchStats.round(probes.ortAllCores));
            ort.put("one_single_threaded_run_per_core", BenchStats.round(probes.ortPerCore));
            ort.put("best", BenchStats.round(Math.max(probes.ortAllCores, probes.ortPerCore)));
            report.put("ort_gemm_gflops", ort);
            report.put("roofline_gflops", BenchStats.round(roofline));
            report.put("roofline_source", gemm >= Math.max(probes.ortAllCores, probes.ortPerCore) ? "pytorch" : "onnxruntime");
            Map<String, Object> modelRates = new LinkedHashMap<>();
            open.keySet().forEach(name -> modelRates.put(name, ((Map<?, ?>) report.get(name)).get("model_gflops_per_s")));
            report.put("model_gflops_per_s", modelRates);
            Map<String, Object> vsLc4j = ratios(rows, ONNX, LC4J);
            if (!vsLc4j.isEmpty()) {
                report.put("speedup_rerank4j_onnx_vs_lc4j", ((Map<?, ?>) vsLc4j.values().iterator().next()).get("speedup"));
                report.put("vs_lc4j_by_concurrency", vsLc4j);
            }
            putIfPresent(report, "int8_vs_fp32_by_concurrency", ratios(rows, INT8, ONNX));
            putIfPresent(report, "vs_one_run_by_concurrency", ratios(rows, ONNX, ONE_RUN));
            putIfPresent(report, "merged_vs_unmerged_by_concurrency", ratios(rows, MERGED, ONNX));
            putIfPresent(report, "vs_large_batches_by_concurrency", ratios(rows, ONNX, LARGE_BATCHES));
            putIfPresent(report, "vs_unfused_by_concurrency", ratios(rows, ONNX, UNFUSED));
            putIfPresent(report, "vs_padded_by_concurrency", ratios(rows, ONNX, PADDED));
            Map<String, Object> variants = new LinkedHashMap<>();
            open.keySet().stream().filter(name -> onnxFileVariant(name) != null)
                    .forEach(name -> variants.put(name, ratios(rows, name, ONNX)));
            putIfPresent(report, "onnx_file_variants_vs_onnx", variants);
            if (ortThreading && open.containsKey(ONNX)) {
                report.put("scorer_vs_plain_sessions", scorerVsPlainSessions(open.get(ONNX), workload, lengths, flops,
                        plainSessionsOf.apply(directory.onnxModel().orElseThrow()), cores));
            }
        } finally {
            open.values().forEach(BenchScorer::close);
        }

        if (ortThreading) {
            Path fp32 = directory.onnxModel().orElseThrow(() -> new IllegalArgumentException("no ONNX model in " + modelDir));
            Map<String, Object> threading = new LinkedHashMap<>(plainSessionsOf.apply(fp32).pairsPerSecond(
                    OrtSessionProbe.threadingSettings(cores, globalPool), repeats));
            if (!globalPool) {
                threading.put("global thread pool", "not measured: the ONNX Runtime environment already existed");
            }
            // batch fill: the same pairs one per run, on the per-core shape (what cross-request batching could add)
            List<TokenBatch> singleRows = new ArrayList<>();
            for (TokenBatch batch : plannedBatches) {
                for (int r = 0; r < batch.batchSize(); r++) {
                    long[] ids = Arrays.copyOfRange(batch.inputIds(), r * batch.sequenceLength(), (r + 1) * batch.sequenceLength());
                    long[] mask = Arrays.copyOfRange(batch.attentionMask(), r * batch.sequenceLength(), (r + 1) * batch.sequenceLength());
                    long[] types = Arrays.copyOfRange(batch.tokenTypeIds(), r * batch.sequenceLength(), (r + 1) * batch.sequenceLength());
                    int length = (int) Arrays.stream(mask).sum();
                    singleRows.add(TokenBatch.of(List.of(new EncodedInput(Arrays.copyOf(ids, length),
                            Arrays.copyOf(mask, length), Arrays.copyOf(types, length)))));
                }
            }
            OrtSessionProbe.Setting perCore = new OrtSessionProbe.Setting(cores + " runs x 1 thread, one pair per run",
                    1, cores, Map.of(), false);
            threading.putAll(new OrtSessionProbe(fp32, singleRows).pairsPerSecond(List.of(perCore), repeats));
            report.put("ort_threading_pairs_per_s", threading);
        }
        if (profile) {
            Map<String, Object> profiles = new LinkedHashMap<>();
            for (String file : List.of("onnx/model.onnx", INT8_FILE)) {
                Path onnx = directory.root().resolve(file);
                if (Files.isRegularFile(onnx)) {
                    profiles.put(file, plainSessionsOf.apply(onnx).profile(io.out.resolve("profiles")));
                }
            }
            report.put("ort_profile", profiles);
        }
        if (slaBudgetMs > 0) {
            try (CrossEncoderScoringModel scorer = CrossEncoderScoringModel.builder().modelDirectory(modelDir)
                    .engine(EngineKind.ONNX).maxLength(maxLength).batchSize(batchSize).intraOpThreads(io.threads)
                    .maxConcurrentRuns(runs).maxPaddingRatio(maxPaddingRatio).build()) {
                report.put("sla", SlaUnderLoad.measure(scorer, workload, Duration.ofMillis(slaBudgetMs), slaConcurrency,
                        slaRequests, warmup, depth,
                        slaMinDepth != null ? slaMinDepth : Math.min(AdaptiveDepthPolicy.DEFAULT_MIN_DEPTH, depth)));
            }
        }

        report.put("workload", Map.of("data", io.data.toString(), "candidates", candidatesFile.toString(),
                "requests", workload.requests().size(), "depth", depth, "max_length", maxLength,
                "model", modelDir.toString(), "real_tokens", sum(lengths), "repeats", repeats));
        Map<String, Object> machine = new LinkedHashMap<>(MachineInfo.describe());
        machine.put("load_average_before", loadBefore);
        machine.put("load_average_after", loadAverage());
        machine.put("bench_seconds", BenchStats.round((System.nanoTime() - started) / 1e9));
        report.put("machine", machine);
        Files.createDirectories(io.out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(io.out.resolve("bench.json").toFile(), report);
        Files.writeString(io.out.resolve("bench.md"), BenchMarkdown.render(report));
        System.err.println("wrote " + io.out.resolve("bench.json") + " and bench.md");
        return 0;
    }

    private static void putIfPresent(Map<String, Object> report, String key, Map<String, Object> value) {
        if (!value.isEmpty()) {
            report.put(key, value);
        }
    }

    private BenchScorer open(String name, Path modelDir) {
        if (onnxFileVariant(name) != null) {
            return BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX).onnxFile(onnxFileVariant(name)));
        }
        return switch (name) {
            case ONNX -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX));
            case UNCUT -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX).logitsGraphCut(false));
            case ONE_RUN -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX)
                    .intraOpThreads(Runtime.getRuntime().availableProcessors()).maxConcurrentRuns(1));
            case MERGED -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX).mergeConcurrentRequests(true));
            case LARGE_BATCHES -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX)
                    .maxBatchTokens(ModelBuilder.DEFAULT_MAX_BATCH_TOKENS));
            case UNFUSED -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX).attentionFusion(false));
            case PADDED -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX)
                    .maxPaddingRatio(BatchPlanner.DEFAULT_MAX_PADDING_RATIO));
            case INT8 -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.ONNX).onnxFile(INT8_FILE));
            case PYTORCH -> BenchScorer.rerank4j(rerank4j(modelDir, EngineKind.PYTORCH));
            case LC4J -> BenchScorer.langchain4jOnnx(modelDir, maxLength, io.threads);
            default -> throw new IllegalArgumentException("unknown scorer '" + name + "'; use " + ALL);
        };
    }

    /** The scorer's padding bound on a CPU: the option, else the library's default for this model's graph. */
    private double plannedPaddingRatio(ModelDirectory directory) throws java.io.IOException {
        if (maxPaddingRatio != null) {
            return maxPaddingRatio;
        }
        boolean fused = !decoder(directory) && directory.onnxModel().isPresent()
                && AttentionFusion.apply(Files.readAllBytes(directory.onnxModel().get())) instanceof AttentionFusion.Fused;
        return fused ? 0.0 : BatchPlanner.DEFAULT_MAX_PADDING_RATIO;
    }

    /** The file of a {@code rerank4j-onnx@FILE} scorer, else null. */
    private static String onnxFileVariant(String name) {
        return name.startsWith(ONNX + "@") ? name.substring(ONNX.length() + 1) : null;
    }

    private static String skipReason(String name, ModelDirectory directory) {
        if (onnxFileVariant(name) != null) {
            return Files.isRegularFile(directory.root().resolve(onnxFileVariant(name)))
                    ? null : "no " + onnxFileVariant(name) + " in " + directory.root();
        }
        if (decoder(directory) && (name.equals(LC4J) || name.equals(PYTORCH))) {
            return name.equals(LC4J) ? "LangChain4j's OnnxScoringModel runs BERT-style cross-encoders, not decoder "
                    + "LLM rerankers" : "decoder LLM rerankers run on ONNX Runtime only";
        }
        if (name.equals(UNCUT)) {
            return decoder(directory) && causalLm(directory) ? null
                    : "only for causal-LM decoder rerankers (it compares the last-token graph cut with full logits)";
        }
        return switch (name) {
            case PYTORCH -> directory.torchScriptModel().isEmpty()
                    ? "no model.pt (TorchScript) in " + directory.root() : null;
            case INT8 -> Files.isRegularFile(directory.root().resolve(INT8_FILE))
                    ? null : "no " + INT8_FILE + " in " + directory.root();
            case ONNX, LC4J, ONE_RUN, MERGED, LARGE_BATCHES, UNFUSED, PADDED -> directory.onnxModel().isEmpty() ? "no onnx/model.onnx in " + directory.root() : null;
            default -> null;
        };
    }

    /** The benchmark's settings on a scorer builder; each scorer variant changes one thing. */
    private CrossEncoderScoringModel.Builder rerank4j(Path modelDir, EngineKind engine) {
        return CrossEncoderScoringModel.builder().modelDirectory(modelDir).engine(engine).maxLength(maxLength)
                .batchSize(batchSize).intraOpThreads(io.threads).maxConcurrentRuns(runs)
                .maxPaddingRatio(maxPaddingRatio).instruction(instruction).device(Device.parse(device));
    }

    /** How pairs become model inputs: the tokenizer's pair template, or a decoder reranker's prompt template. */
    private interface PairEncoder {
        List<EncodedInput> encode(String query, List<String> passages);
    }

    private PairEncoder pairEncoder(ModelDirectory directory, TextTokenizer tokenizer) {
        if (!decoder(directory)) {
            return tokenizer::encodePairs;
        }
        PromptEncoder prompts = PromptEncoder.create(PromptTemplate.forModel(directory), tokenizer, maxLength, instruction);
        return (query, passages) -> prompts.encode(query, passages).inputs();
    }

    private static boolean decoder(ModelDirectory directory) {
        return ModelFamily.of(directory.config()).decoder();
    }

    /**
     * The default scorer at one request against plain ONNX Runtime sessions running the same batches (one
     * single-threaded run per core, nothing else in the way), passes alternating so that the machine's drift hits
     * both: what rerank4j's tokenising and scheduling cost on top of ONNX Runtime itself.
     */
    private Map<String, Object> scorerVsPlainSessions(BenchScorer scorer, RerankWorkload workload, int[][] lengths,
                                                      FlopModel flops, OrtSessionProbe plain, int cores) throws Exception {
        OrtSessionProbe.Setting perCore = new OrtSessionProbe.Setting(cores + " runs x 1 thread", 1, cores, Map.of(), false);
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            ours.add((Double) measure(scorer, workload, lengths, flops, 1).get("pairs_per_s"));
            theirs.add(BenchStats.round(plain.pairsPerSecond(List.of(perCore), 1).values().iterator().next()));
            ratios.add(BenchStats.round(ours.get(r) / theirs.get(r)));
            System.err.printf("scorer vs plain sessions: %.1f vs %.1f pairs/s (%.3f)%n", ours.get(r), theirs.get(r), ratios.get(r));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scorer_pairs_per_s", ours);
        result.put("plain_sessions_pairs_per_s", theirs);
        result.put("ratio_by_repeat", ratios);
        result.put("ratio", BenchStats.round(BenchStats.median(ratios)));
        return result;
    }

    private static boolean causalLm(ModelDirectory directory) {
        return directory.config().architectures().stream().anyMatch(a -> a.endsWith("ForCausalLM"));
    }

    private void warmUp(BenchScorer scorer, RerankWorkload workload) {
        List<RerankWorkload.Request> requests = workload.requests();
        for (int i = 0; i < warmup; i++) {
            RerankWorkload.Request r = requests.get(i % requests.size());
            scorer.score(r.query(), r.passages());
        }
    }

    /** One pass over the workload at one concurrency. */
    private Map<String, Object> measure(BenchScorer scorer, RerankWorkload workload, int[][] lengths, FlopModel flops,
                                        int c) throws Exception {
        List<RerankWorkload.Request> requests = workload.requests();
        long realTokens = sum(lengths);
        double usefulFlops = 0;
        for (int[] request : lengths) {
            for (int len : request) {
                usefulFlops += flops.forSequence(len);
            }
        }
        long[] padded = new long[requests.size()];
        long[] tokenizeNanos = new long[requests.size()];
        long cpuBefore = processCpuNanos();
        ConcurrentRunner.Result run = ConcurrentRunner.run(requests.size(), c, i -> {
            RerankWorkload.Request r = requests.get(i);
            scorer.score(r.query(), r.passages());
            padded[i] = scorer.lastPaddedTokens();
            tokenizeNanos[i] = scorer.lastTokenizeNanos();
        });
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("pairs_per_s", BenchStats.round(workload.pairs() / run.wallSeconds()));
        row.put("tokens_per_s", BenchStats.round(realTokens / run.wallSeconds()));
        Latencies latency = Latencies.of(run.latenciesMs());
        row.put("p50_ms", BenchStats.round(latency.p50()));
        row.put("p95_ms", BenchStats.round(latency.p95()));
        row.put("p99_ms", BenchStats.round(latency.p99()));
        row.put("padding_waste", BenchStats.round(paddingWaste(padded, lengths)));
        double rate = usefulFlops / run.wallSeconds() / 1e9;
        row.put("model_gflops_per_s", BenchStats.round(rate));
        // CPU time the whole process used per pair: the work itself, whatever share of the cores other jobs left
        row.put("cpu_seconds_per_pair", BenchStats.round((processCpuNanos() - cpuBefore) / 1e9 / workload.pairs()));
        if (Arrays.stream(tokenizeNanos).allMatch(t -> t >= 0)) {
            // tokenising runs on the caller's thread, beside other requests' batches: its share of request time
            row.put("tokenize_share", BenchStats.round(Arrays.stream(tokenizeNanos).sum() / 1e6
                    / Arrays.stream(run.latenciesMs()).sum()));
        }
        return row;
    }

    /**
     * A scorer's figures: each metric's median over the repeats, per concurrency, and the first concurrency's at
     * the top level (the keys bench.json always had).
     */
    static Map<String, Object> summarise(Map<Integer, List<Map<String, Object>>> byConcurrency) {
        Map<String, Object> concurrencyRows = new LinkedHashMap<>();
        Map<String, Object> headline = null;
        for (Map.Entry<Integer, List<Map<String, Object>>> entry : byConcurrency.entrySet()) {
            List<Map<String, Object>> passes = entry.getValue();
            Map<String, Object> row = new LinkedHashMap<>();
            for (String key : passes.get(0).keySet()) {
                row.put(key, BenchStats.round(BenchStats.median(passes.stream().map(p -> (Double) p.get(key)).toList())));
            }
            if (passes.size() > 1) {
                row.put("pairs_per_s_by_repeat", passes.stream().map(p -> p.get("pairs_per_s")).toList());
            }
            concurrencyRows.put(Integer.toString(entry.getKey()), row);
            headline = headline == null ? row : headline;
        }
        Map<String, Object> result = new LinkedHashMap<>(headline);
        result.remove("pairs_per_s_by_repeat");
        result.put("concurrency", concurrencyRows);
        return result;
    }

    /**
     * {@code a} against {@code b} per concurrency: the median over the repeats of the pairs/s ratio of the two
     * passes that ran back to back, and both scorers' median p95.
     */
    static Map<String, Object> ratios(Map<String, Map<Integer, List<Map<String, Object>>>> rows, String a, String b) {
        Map<String, Object> ratios = new LinkedHashMap<>();
        if (!rows.containsKey(a) || !rows.containsKey(b)) {
            return ratios;
        }
        for (Map.Entry<Integer, List<Map<String, Object>>> entry : rows.get(a).entrySet()) {
            List<Map<String, Object>> ours = entry.getValue();
            List<Map<String, Object>> theirs = rows.get(b).get(entry.getKey());
            List<Double> byRepeat = new ArrayList<>();
            for (int r = 0; r < Math.min(ours.size(), theirs.size()); r++) {
                byRepeat.add(BenchStats.round((Double) ours.get(r).get("pairs_per_s") / (Double) theirs.get(r).get("pairs_per_s")));
            }
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("speedup", BenchStats.round(BenchStats.median(byRepeat)));
            ratio.put("speedup_by_repeat", byRepeat);
            ratio.put("p95_ms_" + a, BenchStats.round(BenchStats.median(ours.stream().map(p -> (Double) p.get("p95_ms")).toList())));
            ratio.put("p95_ms_" + b, BenchStats.round(BenchStats.median(theirs.stream().map(p -> (Double) p.get("p95_ms")).toList())));
            if (ours.get(0).containsKey("cpu_seconds_per_pair") && theirs.get(0).containsKey("cpu_seconds_per_pair")) {
                // load-independent: CPU time per pair, not wall time, of the same passes
                List<Double> cpu = new ArrayList<>();
                for (int r = 0; r < Math.min(ours.size(), theirs.size()); r++) {
                    cpu.add(BenchStats.round((Double) theirs.get(r).get("cpu_seconds_per_pair")
                            / (Double) ours.get(r).get("cpu_seconds_per_pair")));
                }
                ratio.put("cpu_time_ratio", BenchStats.round(BenchStats.median(cpu)));
                ratio.put("cpu_time_ratio_by_repeat", cpu);
            }
            ratios.put(Integer.toString(entry.getKey()), ratio);
        }
        return ratios;
    }

    /** One full batch: the {@code rows} longest distinct passages of the workload with its first query. */
    private record FullBatch(String query, List<String> passages, double flops) {

        static FullBatch of(PairEncoder encoder, RerankWorkload workload, FlopModel model, int rows) {
            List<String> longest = workload.requests().stream().flatMap(r -> r.passages().stream()).distinct()
                    .sorted(java.util.Comparator.comparingInt(String::length).reversed()).limit(rows).toList();
            String query = workload.requests().get(0).query();
            double work = 0;
            for (var encoded : encoder.encode(query, longest)) {
                work += model.forSequence(encoded.length());
            }
            return new FullBatch(query, longest, work);
        }

        /** Scored 3 times, best kept. */
        double gflopsPerSecond(BenchScorer scorer) {
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                scorer.score(query, passages);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            return flops / best / 1e9;
        }
    }

    /** Padding share: from the scorer's own count when it reports one, else one batch padded to its longest pair. */
    private static double paddingWaste(long[] padded, int[][] lengths) {
        long real = 0;
        long fed = 0;
        for (int i = 0; i < lengths.length; i++) {
            int longest = 0;
            for (int len : lengths[i]) {
                real += len;
                longest = Math.max(longest, len);
            }
            fed += padded[i] >= 0 ? padded[i] : (long) longest * lengths[i].length;
        }
        return fed == 0 ? 0 : 1.0 - (double) real / fed;
    }

    /** Token counts of every pair; also the batches rerank4j's planner makes of each request, into {@code batches}. */
    private static int[][] tokenLengths(PairEncoder encoder, RerankWorkload workload, BatchPlanner planner,
                                        BatchSpec spec, List<TokenBatch> batches) {
        int[][] lengths = new int[workload.requests().size()][];
        for (int i = 0; i < lengths.length; i++) {
            RerankWorkload.Request r = workload.requests().get(i);
            List<EncodedInput> encoded = encoder.encode(r.query(), r.passages());
            lengths[i] = encoded.stream().mapToInt(EncodedInput::length).toArray();
            for (int[] rows : planner.plan(lengths[i])) {
                batches.add(TokenBatch.of(Arrays.stream(rows).mapToObj(encoded::get).toList(), spec));
            }
        }
        return lengths;
    }

    private static long sum(int[][] lengths) {
        long total = 0;
        for (int[] row : lengths) {
            for (int len : row) {
                total += len;
            }
        }
        return total;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The fp32 matrix-multiply ceilings: PyTorch's and ONNX Runtime's in both thread shapes, best so far. */
    private static final class Probes {
        private final int hidden;
        private final int intermediate;
        private final int repetitions;
        private final int cores;
        double pytorch;
        double ortAllCores;
        double ortPerCore;

        Probes(int hidden, int intermediate, int repetitions, int cores) {
            this.hidden = hidden;
            this.intermediate = intermediate;
            this.repetitions = repetitions;
            this.cores = cores;
        }

        void measure() {
            double torch = GemmProbe.measureGflops(4096, hidden, intermediate, repetitions);
            OrtGemmProbe.Result ort = OrtGemmProbe.measure(4096, hidden, intermediate, repetitions);
            pytorch = Math.max(pytorch, torch);
            ortAllCores = Math.max(ortAllCores, ort.oneRunAllCores());
            ortPerCore = Math.max(ortPerCore, ort.oneRunPerCore());
            System.err.printf("fp32 matrix multiply: PyTorch %.1f GFLOP/s; ONNX Runtime %.1f (1 run x %d threads), %.1f (%d runs x 1 thread)%n",
                    torch, ort.oneRunAllCores(), cores, ort.oneRunPerCore(), cores);
        }

        double roofline() {
            return Math.max(pytorch, Math.max(ortAllCores, ortPerCore));
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

}
