package dev.rerank4j.eval.bench.colbert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.colbert.TokenVectors;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.colbert.index.VectorEncoding;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * ColBERT rerank of the 150 dense candidates from a precomputed index vs cross-encoder rerank of the top 30 of the
 * same lists, on SciFact test queries: queries/s, p50/p95 latency, index bytes per document, index build speed,
 * and nDCG@10 of each ranking on the same queries (for context). Also measures float16 and int8 index scores
 * against float32 vectors encoded at query time (the quality cost of compression) on a few queries.
 *
 * <pre>
 * mvn -B -o -q compile dependency:build-classpath -pl colbert-baseline -am -Dmdep.includeScope=runtime \
 *     -Dmdep.outputFile=target/cp.txt
 * java -cp colbert-baseline/target/classes:$(cat colbert-baseline/target/cp.txt) \
 *      dev.rerank4j.colbert.bench.ColbertBenchmark --queries 30 --threads 2
 * </pre>
 */
@Command(name = "colbert-benchmark", mixinStandardHelpOptions = true,
        description = "ColBERT (index, 150) vs cross-encoder (30) reranking on SciFact")
public final class ColbertBenchmark implements Callable<Integer> {

    @Option(names = "--shared", description = "the read-only shared folder (default ../shared)")
    Path shared = Path.of("../shared");

    @Option(names = "--colbert-model", description = "ColBERT model directory (default <shared>/models/minilm-l6-colbert)")
    Path colbertModel;

    @Option(names = "--ce-model", description = "cross-encoder model directory (default <shared>/models/minilm-l6-ce)")
    Path ceModel;

    @Option(names = "--queries", description = "number of SciFact test queries (first in the candidates file), default 30")
    int queries = 30;

    @Option(names = "--candidates", description = "dense candidates reranked by ColBERT (default 150)")
    int candidates = 150;

    @Option(names = "--ce-depth", description = "dense candidates reranked by the cross-encoder (default 30)")
    int ceDepth = 30;

    @Option(names = "--exact-queries", description = "queries whose candidates are also encoded at query time (float32), default 3")
    int exactQueries = 3;

    @Option(names = "--warmup", description = "warm-up queries per method, default 3")
    int warmup = 3;

    @Option(names = "--threads", description = "intra-op threads for both models (0: runtime default)")
    int threads;

    @Option(names = "--work-dir", description = "where the index files go (default target/colbert-bench)")
    Path workDir = Path.of("target/colbert-bench");

    @Option(names = "--skip-ce", description = "skip the cross-encoder run")
    boolean skipCrossEncoder;

    @Option(names = "--residual-centroids", description = "also evaluate ColBERTv2-style residual compression with this many centroids (0: off)")
    int residualCentroids;

    @Option(names = "--residual-bits", description = "bits per residual component (default 2)")
    int residualBits = 2;

    @Option(names = "--residual-queries", description = "queries for the residual evaluation (default 100)")
    int residualQueries = 100;

    @Option(names = "--reuse-index", description = "reuse index files of an earlier run (encodes only missing documents; no build timing)")
    boolean reuseIndex;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ColbertBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path data = shared.resolve("data/scifact");
        Path colbertDir = colbertModel != null ? colbertModel : shared.resolve("models/minilm-l6-colbert");
        Path ceDir = ceModel != null ? ceModel : shared.resolve("models/minilm-l6-ce");
        Map<String, String> corpus = readCorpus(data.resolve("corpus.jsonl"));
        Map<String, String> queryText = readQueries(data.resolve("queries.jsonl"));
        Map<String, Map<String, Integer>> qrels = readQrels(data.resolve("qrels/test.tsv"));
        Map<String, List<String>> lists = readCandidates(shared.resolve("models/candidates/scifact-test.tsv"));
        List<String> queryIds = lists.keySet().stream().limit(queries).toList();
        Set<String> needed = new LinkedHashSet<>();
        for (String q : queryIds) {
            needed.addAll(lists.get(q).subList(0, Math.min(candidates, lists.get(q).size())));
        }
        Map<String, String> docs = new LinkedHashMap<>();
        needed.forEach(id -> docs.put(id, corpus.get(id)));
        System.out.printf(Locale.ROOT, "machine: %d available processors, java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "queries: %d SciFact test queries; %d distinct candidate documents%n",
                queryIds.size(), docs.size());

        Files.createDirectories(workDir);
        try (ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(colbertDir).engine(EngineKind.ONNX)
                .intraOpThreads(threads).build()) {
            System.out.println("colbert engine: " + encoder.engineDescription());
            // index build: float16 (default) timed end to end, int8 written from the same vectors
            Path f16File = workDir.resolve("scifact-f16.colbert");
            Path i8File = workDir.resolve("scifact-int8.colbert");
            if (reuseIndex && Files.exists(f16File) && Files.exists(i8File)) {
                ColbertIndex.buildOrUpdate(encoder, docs, f16File, VectorEncoding.FLOAT16, true).close();
                ColbertIndex.buildOrUpdate(encoder, docs, i8File, VectorEncoding.INT8, true).close();
                System.out.println("index build: reused existing index files (not timed)");
            } else {
                buildBoth(encoder, docs, f16File, i8File);
            }
            try (ColbertIndex index = ColbertIndex.open(f16File); ColbertIndex int8 = ColbertIndex.open(i8File)) {
                System.out.printf(Locale.ROOT, "index size: float16 %.0f bytes/doc (%d bytes, %.1f vectors/doc); int8 %.0f bytes/doc (%d bytes)%n",
                        index.bytesPerDocument(), index.bytes(), (double) index.vectorCount() / index.size(),
                        int8.bytesPerDocument(), int8.bytes());

                compressionLoss(encoder, index, int8, docs, queryIds, queryText, lists);

                Map<String, List<String>> colbertRanking = new HashMap<>();
                double[] colbertMs = time(queryIds, q -> colbertRanking.put(q, rerankFromIndex(encoder, index,
                        queryText.get(q), head(lists.get(q), candidates))));
                report("ColBERT rerank of " + candidates + " from float16 index", colbertMs);
                double[] queryEncodeMs = time(queryIds, q -> encoder.encodeQuery(queryText.get(q)));
                report("  of which query encoding alone", queryEncodeMs);
                Map<String, List<String>> int8Ranking = new HashMap<>();
                double[] int8Ms = time(queryIds, q -> int8Ranking.put(q, rerankFromIndex(encoder, int8,
                        queryText.get(q), head(lists.get(q), candidates))));
                report("ColBERT rerank of " + candidates + " from int8 index", int8Ms);

                Map<String, List<String>> denseRanking = new HashMap<>();
                queryIds.forEach(q -> denseRanking.put(q, head(lists.get(q), candidates)));
                System.out.printf(Locale.ROOT, "nDCG@10 on these %d queries: dense %.4f | ColBERT float16 %.4f | ColBERT int8 %.4f%n",
                        queryIds.size(), ndcg(denseRanking, qrels), ndcg(colbertRanking, qrels), ndcg(int8Ranking, qrels));

                if (residualCentroids > 0) {
                    residualLoss(encoder, index, queryIds.subList(0, Math.min(residualQueries, queryIds.size())),
                            queryText, lists, qrels);
                }

                if (!skipCrossEncoder) {
                    try (CrossEncoderScoringModel ce = CrossEncoderScoringModel.builder().modelDirectory(ceDir)
                            .engine(EngineKind.ONNX).intraOpThreads(threads).build()) {
                        System.out.println("cross-encoder engine: " + ce.engineDescription() + ", max length " + ce.maxLength());
                        Map<String, List<String>> ceRanking = new HashMap<>();
                        double[] ceMs = time(queryIds, q -> {
                            List<String> top = head(lists.get(q), ceDepth);
                            double[] scores = ce.scorePassages(queryText.get(q), top.stream().map(docs::get).toList()).scores();
                            List<String> reranked = sortByScore(top, scores);
                            reranked.addAll(lists.get(q).subList(top.size(), Math.min(candidates, lists.get(q).size())));
                            ceRanking.put(q, reranked);
                        });
                        report("cross-encoder rerank of " + ceDepth, ceMs);
                        System.out.printf(Locale.ROOT, "nDCG@10 on these %d queries: cross-encoder@%d %.4f%n",
                                queryIds.size(), ceDepth, ndcg(ceRanking, qrels));
                    }
                }
            }
        }
        return 0;
    }

    /** Encodes every document once and writes it to a float16 and an int8 index; prints the build speed. */
    private static void buildBoth(ColbertEncoder encoder, Map<String, String> docs, Path f16File, Path i8File) {
        try (ColbertIndex f16 = ColbertIndex.create(f16File, encoder.dim(), VectorEncoding.FLOAT16, encoder.modelFingerprint());
             ColbertIndex i8 = ColbertIndex.create(i8File, encoder.dim(), VectorEncoding.INT8, encoder.modelFingerprint())) {
            long buildStart = System.nanoTime();
            List<String> ids = new ArrayList<>(docs.keySet());
            int chunk = 64;
            for (int start = 0; start < ids.size(); start += chunk) {
                List<String> part = ids.subList(start, Math.min(ids.size(), start + chunk));
                List<TokenVectors> vectors = encoder.encodeDocuments(part.stream().map(docs::get).toList());
                Map<String, TokenVectors> batch = new LinkedHashMap<>();
                for (int i = 0; i < part.size(); i++) {
                    batch.put(part.get(i), vectors.get(i));
                }
                f16.addAll(batch);
                i8.addAll(batch);
                System.err.printf(Locale.ROOT, "\rindexed %d/%d", start + part.size(), ids.size());
            }
            double buildSeconds = (System.nanoTime() - buildStart) / 1e9;
            System.err.println();
            System.out.printf(Locale.ROOT, "index build: %d docs in %.1f s = %.1f docs/s (encoding + float16 and int8 writes)%n",
                    f16.size(), buildSeconds, f16.size() / buildSeconds);
        }
    }

    /** float16 and int8 index scores vs float32 vectors encoded at query time, plus that path's latency. */
    private void compressionLoss(ColbertEncoder encoder, ColbertIndex f16, ColbertIndex int8, Map<String, String> docs,
                                 List<String> queryIds, Map<String, String> queryText, Map<String, List<String>> lists) {
        double maxF16 = 0;
        double maxI8 = 0;
        double sumF16 = 0;
        double sumI8 = 0;
        int pairs = 0;
        int sameTop10F16 = 0;
        int sameTop10I8 = 0;
        int n = Math.min(exactQueries, queryIds.size());
        double[] encodeMs = new double[n];
        for (int qi = 0; qi < n; qi++) {
            String q = queryIds.get(qi);
            List<String> top = head(lists.get(q), candidates);
            long start = System.nanoTime();
            MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(queryText.get(q)));
            List<TokenVectors> exact = encoder.encodeDocuments(top.stream().map(docs::get).toList());
            double[] s32 = new double[top.size()];
            for (int i = 0; i < top.size(); i++) {
                s32[i] = prepared.score(exact.get(i));
            }
            encodeMs[qi] = (System.nanoTime() - start) / 1e6;
            double[] s16 = new double[top.size()];
            double[] s8 = new double[top.size()];
            for (int i = 0; i < top.size(); i++) {
                s16[i] = f16.score(prepared, top.get(i));
                s8[i] = int8.score(prepared, top.get(i));
                maxF16 = Math.max(maxF16, Math.abs(s16[i] - s32[i]));
                maxI8 = Math.max(maxI8, Math.abs(s8[i] - s32[i]));
                sumF16 += Math.abs(s16[i] - s32[i]);
                sumI8 += Math.abs(s8[i] - s32[i]);
                pairs++;
            }
            List<String> ref = sortByScore(top, s32).subList(0, Math.min(10, top.size()));
            sameTop10F16 += ref.equals(sortByScore(top, s16).subList(0, ref.size())) ? 1 : 0;
            sameTop10I8 += ref.equals(sortByScore(top, s8).subList(0, ref.size())) ? 1 : 0;
        }
        if (n == 0) {
            return;
        }
        System.out.printf(Locale.ROOT, "compression vs float32 (%d queries x %d docs): float16 max |dScore| %.5f mean %.5f, "
                        + "identical top-10 in %d/%d; int8 max %.5f mean %.5f, identical top-10 in %d/%d%n",
                n, candidates, maxF16, sumF16 / pairs, sameTop10F16, n, maxI8, sumI8 / pairs, sameTop10I8, n);
        Arrays.sort(encodeMs);
        System.out.printf(Locale.ROOT, "ColBERT without index (encode %d docs at query time): median %.0f ms/query over %d queries%n",
                candidates, encodeMs[n / 2], n);
    }

    /** nDCG@10 and score changes when the float16 vectors go through a residual codec (trained on a sample). */
    private void residualLoss(ColbertEncoder encoder, ColbertIndex index, List<String> queryIds,
                              Map<String, String> queryText, Map<String, List<String>> lists,
                              Map<String, Map<String, Integer>> qrels) {
        List<String> sampleIds = new ArrayList<>(index.ids());
        java.util.Collections.sort(sampleIds);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < sampleIds.size() && rows.size() < 20_000; i += 7) {
            float[][] v = index.vectors(sampleIds.get(i)).toArray();
            rows.addAll(Arrays.asList(v));
        }
        long start = System.nanoTime();
        dev.rerank4j.colbert.index.ResidualCodec codec = dev.rerank4j.colbert.index.ResidualCodec.train(
                TokenVectors.of(rows.toArray(new float[0][])), residualCentroids, residualBits, 8, 42);
        System.out.printf(Locale.ROOT, "residual codec: %d centroids, %d bits, trained on %d vectors in %.1f s; %d bytes/vector (float16 %d)%n",
                residualCentroids, residualBits, rows.size(), (System.nanoTime() - start) / 1e9,
                codec.bytesPerVector(), 2 * index.dim());
        Map<String, TokenVectors> compressed = new HashMap<>();
        Map<String, List<String>> exactRanking = new HashMap<>();
        Map<String, List<String>> residualRanking = new HashMap<>();
        double maxDiff = 0;
        double sumDiff = 0;
        int pairs = 0;
        for (String q : queryIds) {
            List<String> top = head(lists.get(q), candidates);
            MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(queryText.get(q)));
            double[] exact = new double[top.size()];
            double[] approx = new double[top.size()];
            for (int i = 0; i < top.size(); i++) {
                String id = top.get(i);
                exact[i] = index.score(prepared, id);
                approx[i] = prepared.score(compressed.computeIfAbsent(id, d -> codec.roundTrip(index.vectors(d))));
                maxDiff = Math.max(maxDiff, Math.abs(exact[i] - approx[i]));
                sumDiff += Math.abs(exact[i] - approx[i]);
                pairs++;
            }
            exactRanking.put(q, sortByScore(top, exact));
            residualRanking.put(q, sortByScore(top, approx));
        }
        System.out.printf(Locale.ROOT, "residual vs float16 on %d queries: max |dScore| %.3f mean %.3f; nDCG@10 float16 %.4f, residual %.4f%n",
                queryIds.size(), maxDiff, sumDiff / pairs, ndcg(exactRanking, qrels), ndcg(residualRanking, qrels));
    }

    private static List<String> rerankFromIndex(ColbertEncoder encoder, ColbertIndex index, String query, List<String> ids) {
        MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(query));
        double[] scores = new double[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            scores[i] = index.score(prepared, ids.get(i));
        }
        return sortByScore(ids, scores);
    }

    /** Stable sort by descending score: ties keep the dense order. */
    private static List<String> sortByScore(List<String> ids, double[] scores) {
        return IntStream.range(0, ids.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
                .map(ids::get).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }

    private interface QueryRun {
        void run(String queryId) throws Exception;
    }

    /** Runs warm-up queries untimed, then every query once; returns per-query milliseconds. */
    private double[] time(List<String> queryIds, QueryRun run) throws Exception {
        for (int i = 0; i < Math.min(warmup, queryIds.size()); i++) {
            run.run(queryIds.get(i));
        }
        double[] ms = new double[queryIds.size()];
        for (int i = 0; i < queryIds.size(); i++) {
            long start = System.nanoTime();
            run.run(queryIds.get(i));
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    private static void report(String what, double[] ms) {
        double total = Arrays.stream(ms).sum();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-45s %6.2f queries/s  p50 %8.1f ms  p95 %8.1f ms  (%d queries)%n",
                what + ":", ms.length / (total / 1000), percentile(sorted, 0.50), percentile(sorted, 0.95), ms.length);
    }

    /** Nearest-rank percentile of a sorted array. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Mean nDCG@10 (linear graded gains, log2 discount) over queries with at least one relevant document. */
    static double ndcg(Map<String, List<String>> rankings, Map<String, Map<String, Integer>> qrels) {
        double sum = 0;
        int count = 0;
        for (Map.Entry<String, List<String>> entry : rankings.entrySet()) {
            Map<String, Integer> judged = qrels.getOrDefault(entry.getKey(), Map.of());
            List<Integer> ideal = judged.values().stream().filter(g -> g > 0).sorted(Comparator.reverseOrder()).toList();
            if (ideal.isEmpty()) {
                continue;
            }
            double dcg = 0;
            List<String> ranking = entry.getValue();
            for (int i = 0; i < Math.min(10, ranking.size()); i++) {
                dcg += Math.max(0, judged.getOrDefault(ranking.get(i), 0)) / log2(i + 2);
            }
            double idcg = 0;
            for (int i = 0; i < Math.min(10, ideal.size()); i++) {
                idcg += ideal.get(i) / log2(i + 2);
            }
            sum += dcg / idcg;
            count++;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static List<String> head(List<String> list, int n) {
        return list.subList(0, Math.min(n, list.size()));
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Map<String, String> readCorpus(Path file) throws IOException {
        Map<String, String> corpus = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = MAPPER.readTree(line);
                String title = node.path("title").asText("");
                String text = node.path("text").asText("");
                corpus.put(node.get("_id").asText(), title.isEmpty() ? text : title + " " + text);
            }
        }
        return corpus;
    }

    static Map<String, String> readQueries(Path file) throws IOException {
        Map<String, String> queries = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    JsonNode node = MAPPER.readTree(line);
                    queries.put(node.get("_id").asText(), node.get("text").asText());
                }
            }
        }
        return queries;
    }

    static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
        Map<String, Map<String, Integer>> qrels = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length >= 3) {
                qrels.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], Integer.parseInt(f[2].trim()));
            }
        }
        return qrels;
    }

    /** query id -> corpus ids in rank order (file order of queries kept). */
    static Map<String, List<String>> readCandidates(Path file) throws IOException {
        Map<String, List<String>> lists = new LinkedHashMap<>();
        Map<String, Map<Integer, String>> byRank = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length >= 3) {
                byRank.computeIfAbsent(f[0], k -> new java.util.TreeMap<>()).put(Integer.parseInt(f[2].trim()), f[1]);
            }
        }
        byRank.forEach((q, ranks) -> lists.put(q, new ArrayList<>(ranks.values())));
        return lists;
    }
}
