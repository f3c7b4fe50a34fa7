package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rerank4j.crossencoder.decoder.PromptEncoder;
import dev.rerank4j.crossencoder.decoder.PromptTemplate;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.runtime.Device;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.ModelFamily;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;
import dev.rerank4j.eval.metrics.Latencies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench-ce}: this project's cross-encoder on each engine against LangChain4j's OnnxScoringModel, on the same
 * model file and the same requests (a query with its top-N dense candidates), at 1, 2 and 4 concurrent requests.
 * Reports pairs/s, tokens/s, latency percentiles, padding waste and the model's FLOP rate ({@link FlopModel}:
 * BERT or decoder) against the machine's fp32 matrix-multiply rate measured in the same run. A decoder LLM reranker
 * (Qwen3-Reranker, mxbai-rerank-v2) is measured on its prompts (the token counts include the template), with
 * {@value #UNCUT} to compare the last-token graph cut with full logits.
 */
@Command(name = "bench-ce", mixinStandardHelpOptions = true,
        description = "Benchmark cross-encoder scorers (rerank4j ONNX/PyTorch vs LangChain4j OnnxScoringModel).")
public final class BenchCeCommand implements Callable<Integer> {

    static final String ONNX = "rerank4j-onnx";
    static final String INT8 = "rerank4j-onnx-int8";
    static final String PYTORCH = "rerank4j-pytorch";
    static final String LC4J = "lc4j-onnx-scoring";
    static final String UNCUT = "rerank4j-onnx-uncut";

    @Option(names = "--data", required = true, description = "BEIR-layout data set directory")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "qrels split the candidates belong to (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--model", description = "cross-encoder model directory (default: ../shared/models/minilm-l6-ce)")
    Path model;

    @Option(names = "--candidates", description = "first-stage candidates TSV (query-id, corpus-id, rank, score); "
            + "default: <data>/../../models/candidates/<set>-<split>.tsv")
    Path candidates;

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
            description = "scorers to run (default: ${DEFAULT-VALUE}); those that do not apply to the model are skipped")
    List<String> scorers;

    @Option(names = "--batch-size", defaultValue = "32", description = "rerank4j batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--max-padding-ratio", defaultValue = "0.1",
            description = "rerank4j: largest padding share of a row before a new batch starts (default: ${DEFAULT-VALUE})")
    double maxPaddingRatio;

    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--instruction", description = "decoder LLM rerankers: the prompt's instruction (default: the template's)")
    String instruction;

    @Option(names = "--device", defaultValue = "cpu", description = "rerank4j scorers: cpu or cuda[:N] (CUDA needs the "
            + "-Pcuda build; default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--out", required = true, description = "output directory for bench.json")
    Path out;

    /** Runs the benchmark on its own (the eval CLI also exposes it as {@code rerank4j-eval bench-ce}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCeCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path modelDir = model != null ? model : Path.of("../shared/models/minilm-l6-ce");
        ModelDirectory directory = ModelDirectory.of(modelDir);
        Path candidatesFile = candidates != null ? candidates
                : data.toAbsolutePath().normalize().getParent().getParent()
                .resolve("models/candidates/" + data.toAbsolutePath().normalize().getFileName() + "-" + split + ".tsv");
        if (!Files.isRegularFile(candidatesFile)) {
            throw new IllegalArgumentException("candidates file " + candidatesFile + " not found; pass --candidates FILE");
        }
        RerankWorkload workload = RerankWorkload.load(data, split, candidatesFile, depth, queries);
        FlopModel flops = FlopModel.of(directory);
        int[][] lengths;
        FullBatch fullBatch;
        try (TextTokenizer tokenizer = TextTokenizer.open(directory.tokenizerFile(), maxLength)) {
            PairEncoder encoder = pairEncoder(directory, tokenizer);
            lengths = tokenLengths(encoder, workload);
            fullBatch = FullBatch.of(encoder, workload, flops, batchSize);
        }

        System.err.printf("bench-ce: %d requests x %d candidates from %s, model %s, max length %d%n",
                workload.requests().size(), depth, candidatesFile, modelDir, maxLength);
        double gemm = GemmProbe.measureGflops(4096, directory.config().hiddenSize(), directory.config().intermediateSize(), 10);
        System.err.printf("fp32 matrix multiply: %.1f GFLOP/s%n", gemm);

        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> modelRates = new LinkedHashMap<>();
        double[] reference = null;
        for (String name : scorers) {
            String skip = skipReason(name, directory);
            if (skip != null) {
                report.put(name, Map.of("skipped", skip));
                System.err.printf("%-20s skipped: %s%n", name, skip);
                continue;
            }
            try (BenchScorer scorer = open(name, modelDir)) {
                Map<String, Object> result = measure(name, scorer, workload, lengths, flops, fullBatch, gemm);
                double[] first = scorer.score(workload.requests().get(0).query(), workload.requests().get(0).passages());
                if (reference == null) {
                    reference = first;
                } else {
                    result.put("max_abs_score_diff_vs_" + scorers.get(0), maxAbsDiff(reference, first));
                }
                report.put(name, result);
                modelRates.put(name, result.get("model_gflops_per_s"));
            }
        }
        report.put("gemm_gflops", round(gemm));
        report.put("model_gflops_per_s", modelRates);
        if (report.get(ONNX) instanceof Map<?, ?> ours && report.get(LC4J) instanceof Map<?, ?> theirs
                && ours.get("pairs_per_s") instanceof Double a && theirs.get("pairs_per_s") instanceof Double b) {
            report.put("speedup_rerank4j_onnx_vs_lc4j", round(a / b));
        }
        report.put("workload", Map.of("data", data.toString(), "candidates", candidatesFile.toString(),
                "requests", workload.requests().size(), "depth", depth, "max_length", maxLength,
                "model", modelDir.toString(), "real_tokens", sum(lengths)));
        report.put("machine", machine());
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("bench.json").toFile(), report);
        System.err.println("wrote " + out.resolve("bench.json"));
        return 0;
    }

    private BenchScorer open(String name, Path modelDir) {
        return switch (name) {
            case ONNX -> BenchScorer.rerank4j(modelDir, EngineKind.ONNX, null, maxLength, batchSize, threads,
                    maxPaddingRatio, instruction, true, Device.parse(device));
            case UNCUT -> BenchScorer.rerank4j(modelDir, EngineKind.ONNX, null, maxLength, batchSize, threads,
                    maxPaddingRatio, instruction, false, Device.parse(device));
            case INT8 -> BenchScorer.rerank4j(modelDir, EngineKind.ONNX, "onnx/model_qint8.onnx", maxLength, batchSize,
                    threads, maxPaddingRatio, instruction, true, Device.parse(device));
            case PYTORCH -> BenchScorer.rerank4j(modelDir, EngineKind.PYTORCH, null, maxLength, batchSize, threads,
                    maxPaddingRatio, instruction, true, Device.parse(device));
            case LC4J -> BenchScorer.langchain4jOnnx(modelDir, maxLength, threads);
            default -> throw new IllegalArgumentException("unknown scorer '" + name + "'; use "
                    + List.of(ONNX, PYTORCH, LC4J, INT8, UNCUT));
        };
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

    private static boolean causalLm(ModelDirectory directory) {
        return directory.config().architectures().stream().anyMatch(a -> a.endsWith("ForCausalLM"));
    }

    private static String skipReason(String name, ModelDirectory directory) {
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
            case INT8 -> Files.isRegularFile(directory.root().resolve("onnx/model_qint8.onnx"))
                    ? null : "no onnx/model_qint8.onnx in " + directory.root();
            case ONNX, LC4J -> directory.onnxModel().isEmpty() ? "no onnx/model.onnx in " + directory.root() : null;
            default -> null;
        };
    }

    private Map<String, Object> measure(String name, BenchScorer scorer, RerankWorkload workload, int[][] lengths,
                                        FlopModel flops, FullBatch fullBatch, double gemm) throws Exception {
        List<RerankWorkload.Request> requests = workload.requests();
        for (int i = 0; i < warmup; i++) {
            RerankWorkload.Request r = requests.get(i % requests.size());
            scorer.score(r.query(), r.passages());
        }
        long realTokens = sum(lengths);
        double usefulFlops = 0;
        for (int[] request : lengths) {
            for (int len : request) {
                usefulFlops += flops.forSequence(len);
            }
        }
        Map<String, Object> byConcurrency = new LinkedHashMap<>();
        Map<String, Object> headline = null;
        for (int c : concurrency) {
            long[] padded = new long[requests.size()];
            ConcurrentRunner.Result run = ConcurrentRunner.run(requests.size(), c, i -> {
                RerankWorkload.Request r = requests.get(i);
                scorer.score(r.query(), r.passages());
                padded[i] = scorer.lastPaddedTokens();
            });
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("pairs_per_s", round(workload.pairs() / run.wallSeconds()));
            row.put("tokens_per_s", round(realTokens / run.wallSeconds()));
            Latencies latency = Latencies.of(run.latenciesMs());
            row.put("p50_ms", round(latency.p50()));
            row.put("p95_ms", round(latency.p95()));
            row.put("p99_ms", round(latency.p99()));
            row.put("padding_waste", round(paddingWaste(padded, lengths)));
            double rate = usefulFlops / run.wallSeconds() / 1e9;
            row.put("model_gflops_per_s", round(rate));
            row.put("fraction_of_gemm", round(rate / gemm));
            byConcurrency.put(Integer.toString(c), row);
            System.err.printf("%-20s c=%d  %7.1f pairs/s  p50 %7.1f ms  p95 %7.1f ms  waste %.3f  %.1f GFLOP/s (%.0f%% of GEMM)%n",
                    name, c, (Double) row.get("pairs_per_s"), latency.p50(), latency.p95(),
                    (Double) row.get("padding_waste"), rate, 100 * rate / gemm);
            if (headline == null) {
                headline = row;
            }
        }
        Map<String, Object> result = new LinkedHashMap<>(headline);
        result.put("concurrency", byConcurrency);
        double fullBatchRate = fullBatch.gflopsPerSecond(scorer);
        result.put("full_batch_gflops_per_s", round(fullBatchRate));
        result.put("full_batch_fraction_of_gemm", round(fullBatchRate / gemm));
        System.err.printf("%-20s full batch of %d longest passages: %.1f GFLOP/s (%.0f%% of GEMM)%n",
                name, fullBatch.passages().size(), fullBatchRate, 100 * fullBatchRate / gemm);
        return result;
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

    private static int[][] tokenLengths(PairEncoder encoder, RerankWorkload workload) {
        int[][] lengths = new int[workload.requests().size()][];
        for (int i = 0; i < lengths.length; i++) {
            RerankWorkload.Request r = workload.requests().get(i);
            lengths[i] = encoder.encode(r.query(), r.passages()).stream().mapToInt(e -> e.length()).toArray();
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

    static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("cpu", cpuModel());
        return machine;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
