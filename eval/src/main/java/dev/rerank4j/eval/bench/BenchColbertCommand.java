package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.metrics.Latencies;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.CascadePipeline;
import dev.rerank4j.eval.pipeline.ColbertPipeline;
import dev.rerank4j.eval.pipeline.DensePipeline;
import dev.rerank4j.eval.pipeline.RerankPipeline;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.eval.report.MarkdownReport;
import dev.rerank4j.eval.report.SummaryJson;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.Evaluator;
import dev.rerank4j.eval.run.PipelineResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench-colbert}: ColBERT rerank of the first-stage candidates from a precomputed index (float16 and int8)
 * against the cross-encoder's rerank of the top 30 of the same lists, through the eval harness (queries/s,
 * latency, nDCG@10 on the same queries); plus index build speed and size, query encoding time, the no-index path
 * (documents encoded at query time) and what float16/int8 storage changes against those float32 vectors.
 */
@Command(name = "bench-colbert", mixinStandardHelpOptions = true,
        description = "ColBERT from an index (float16, int8) vs the cross-encoder: throughput, index size, compression.")
public final class BenchColbertCommand implements Callable<Integer> {

    @Mixin
    BenchOptions io;

    @Mixin
    ColbertBenchOptions colbert;

    @Option(names = "--ce-model", description = "cross-encoder model directory (default: ../shared/models/minilm-l6-ce)")
    Path ceModel;

    @Option(names = "--queries", defaultValue = "20", description = "judged queries, every k-th (0 = all; default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--ce-depth", defaultValue = "30", description = "candidates the cross-encoder reranks (default: ${DEFAULT-VALUE})")
    int ceDepth;

    @Option(names = "--exact-queries", defaultValue = "3",
            description = "queries also run without an index (documents encoded at query time, float32; default: ${DEFAULT-VALUE})")
    int exactQueries;

    @Option(names = "--reuse-index", description = "reuse the index files of an earlier run (adds missing documents; no build timing)")
    boolean reuseIndex;

    @Option(names = "--skip-ce", description = "no cross-encoder pipeline")
    boolean skipCrossEncoder;

    @Option(names = "--colbert-attention-fusion", description = "load the ColBERT encoder with the attention fused "
            + "(its If form: off by default for ColBERT, see docs/performance.md)")
    boolean colbertAttentionFusion;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (colbert.depth < 1 || ceDepth < 1 || exactQueries < 0) {
            throw new IllegalArgumentException("--depth and --ce-depth must be >= 1, --exact-queries >= 0");
        }
        BeirDataset dataset = BeirDataset.load(io.data, io.split);
        Path candidatesFile = io.candidatesFile();
        Map<String, List<Candidate>> lists = CandidateLists.read(candidatesFile);
        List<Query> selected = Evaluator.selectQueries(dataset.judgedQueries(), queries);
        Map<String, String> docs = ColbertBenchIndexes.candidateDocuments(dataset, lists, selected, colbert.depth);
        Path colbertDir = colbert.modelDirectory();
        Map<String, Object> figures = new LinkedHashMap<>();
        try (ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(colbertDir).engine(EngineKind.ONNX)
                .intraOpThreads(io.threads).attentionFusion(colbertAttentionFusion).build()) {
            figures.put("encoder", encoder.engineDescription());
            ColbertBenchIndexes files = ColbertBenchIndexes.prepare(encoder, docs, colbert.workDir,
                    dataset.name() + "-" + io.split, reuseIndex, !io.noProgress);
            figures.put("documents_indexed", files.documents());
            figures.put("build_seconds", files.buildSeconds());
            figures.put("build_docs_per_s", files.buildSeconds() == null ? null : files.documents() / files.buildSeconds());
            try (ColbertIndex float16 = ColbertIndex.open(files.float16());
                 ColbertIndex int8 = ColbertIndex.open(files.int8())) {
                figures.put("float16_bytes_per_doc", float16.bytesPerDocument());
                figures.put("int8_bytes_per_doc", int8.bytesPerDocument());
                figures.put("vectors_per_doc", (double) float16.vectorCount() / float16.size());
                String model = colbertDir.toString();
                ColbertPipeline fromF16 = ColbertPipeline.of("colbert", encoder, float16, dataset.corpus(), model, colbert.depth);
                ColbertPipeline fromInt8 = ColbertPipeline.of("colbert-int8", encoder, int8, dataset.corpus(), model, colbert.depth);
                ColbertPipeline noIndex = ColbertPipeline.of("colbert-no-index", encoder, null, dataset.corpus(), model, colbert.depth);
                EvalResult result = evaluate(dataset, candidatesFile, fromF16, fromInt8);
                figures.putAll(queryEncoding(encoder, selected));
                figures.putAll(compression(selected, lists, fromF16, fromInt8, noIndex));
                write(result, figures);
            }
        }
        return 0;
    }

    private EvalResult evaluate(BeirDataset dataset, Path candidatesFile, ColbertPipeline fromF16,
                                ColbertPipeline fromInt8) {
        List<RerankPipeline> pipelines = new ArrayList<>(List.of(new DensePipeline("first stage " + candidatesFile),
                fromF16, fromInt8));
        CrossEncoderScoringModel crossEncoder = null;
        try {
            if (!skipCrossEncoder) {
                crossEncoder = CrossEncoderScoringModel.builder()
                        .modelDirectory(BenchInputs.model(ceModel, "minilm-l6-ce", "--ce-model"))
                        .engine(EngineKind.ONNX).intraOpThreads(io.threads).build();
                pipelines.add(CascadePipeline.fixedDepth(crossEncoder, dataset.corpus(), ceDepth, colbert.depth, false));
            }
            return Evaluator.builder().dataset(dataset).firstStage(new CandidateFileFirstStage(candidatesFile, colbert.depth))
                    .pipelines(pipelines).maxQueries(queries).showProgress(!io.noProgress).build().run();
        } finally {
            if (crossEncoder != null) {
                crossEncoder.close();
            }
        }
    }

    private static Map<String, Double> queryEncoding(ColbertEncoder encoder, List<Query> selected) {
        double[] ms = new double[selected.size()];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            encoder.encodeQuery(selected.get(i).text());
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Latencies latency = Latencies.of(ms);
        return Map.of("query_encoding_p50_ms", latency.p50(), "query_encoding_p95_ms", latency.p95());
    }

    /** float16 and int8 index scores and top 10 against float32 vectors encoded at query time (the no-index path). */
    private Map<String, Object> compression(List<Query> selected, Map<String, List<Candidate>> lists,
                                            ColbertPipeline fromF16, ColbertPipeline fromInt8,
                                            ColbertPipeline noIndex) {
        int n = Math.min(exactQueries, selected.size());
        double[] noIndexMs = new double[n];
        double[][] diffs = new double[2][2]; // [f16, int8] x [max, sum]
        int[] sameTop10 = new int[2];
        int pairs = 0;
        for (int q = 0; q < n; q++) {
            Query query = selected.get(q);
            List<Candidate> list = lists.getOrDefault(query.id(), List.of());
            list = list.subList(0, Math.min(colbert.depth, list.size()));
            long start = System.nanoTime();
            List<Content> exact = noIndex.rerank(query, list);
            noIndexMs[q] = (System.nanoTime() - start) / 1e6;
            Map<String, Double> exactScores = scores(exact);
            List<List<Content>> stored = List.of(fromF16.rerank(query, list), fromInt8.rerank(query, list));
            for (int v = 0; v < 2; v++) {
                for (Map.Entry<String, Double> entry : scores(stored.get(v)).entrySet()) {
                    double diff = Math.abs(entry.getValue() - exactScores.get(entry.getKey()));
                    diffs[v][0] = Math.max(diffs[v][0], diff);
                    diffs[v][1] += diff;
                }
                sameTop10[v] += top10(stored.get(v)).equals(top10(exact)) ? 1 : 0;
            }
            pairs += list.size();
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("exact_queries", n);
        figures.put("no_index_ms", Latencies.of(noIndexMs).p50());
        String[] names = {"float16", "int8"};
        for (int v = 0; v < 2; v++) {
            figures.put(names[v] + "_max_abs_score_change", diffs[v][0]);
            figures.put(names[v] + "_mean_abs_score_change", pairs == 0 ? 0 : diffs[v][1] / pairs);
            figures.put(names[v] + "_identical_top10", sameTop10[v]);
        }
        return figures;
    }

    private static Map<String, Double> scores(List<Content> contents) {
        Map<String, Double> scores = new HashMap<>();
        for (Content content : contents) {
            scores.put(content.textSegment().metadata().getString(CascadePipeline.ID_KEY),
                    (Double) content.metadata().get(ContentMetadata.RERANKED_SCORE));
        }
        return scores;
    }

    private static List<String> top10(List<Content> contents) {
        return contents.subList(0, Math.min(10, contents.size())).stream()
                .map(c -> c.textSegment().metadata().getString(CascadePipeline.ID_KEY)).toList();
    }

    private void write(EvalResult result, Map<String, Object> figures) {
        Map<String, Object> machine = MachineInfo.describe();
        SummaryJson.write(io.out.resolve("summary.json"), result, machine);
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(io.out.resolve("colbert.json").toFile(), figures);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + io.out.resolve("colbert.json"), e);
        }
        StringBuilder md = new StringBuilder("# ColBERT benchmark\n\n```\nrerank4j-eval ")
                .append(String.join(" ", spec.commandLine().getParseResult().originalArgs())).append("\n```\n\n")
                .append(String.format(Locale.ROOT, "%s (%s), %d judged queries (every k-th), %d distinct candidate "
                                + "documents indexed; machine: %s%n%n", result.dataset(), result.split(),
                        result.queriesRun(), (Integer) figures.get("documents_indexed"), machine))
                .append("| pipeline | reranks | queries/s | p50 ms | p95 ms | nDCG@10 |\n|---|---|---|---|---|---|\n");
        for (PipelineResult p : result.pipelines()) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.1f | %.1f | %.4f |%n", p.name(), p.meanDepth(),
                    p.queriesPerSecond(), p.latency().p50(), p.latency().p95(), p.ndcg10()));
        }
        Object build = figures.get("build_docs_per_s");
        md.append(String.format(Locale.ROOT, "%n- index build (ONNX encoding, float16 + int8 written): %s%n"
                        + "- index size per document: float16 %.0f bytes (%.1f vectors), int8 %.0f bytes%n"
                        + "- query encoding alone: p50 %.1f ms, p95 %.1f ms%n"
                        + "- without an index (%d candidates encoded at query time): median %.0f ms/query over %d queries%n"
                        + "- against those float32 vectors: float16 max |dScore| %.5f, mean %.5f, identical top 10 in %d/%d; "
                        + "int8 max %.5f, mean %.5f, identical top 10 in %d/%d%n",
                build == null ? "reused (not timed)" : String.format(Locale.ROOT, "%.1f documents/s (%d in %.0f s)",
                        (Double) build, (Integer) figures.get("documents_indexed"), (Double) figures.get("build_seconds")),
                (Double) figures.get("float16_bytes_per_doc"), (Double) figures.get("vectors_per_doc"),
                (Double) figures.get("int8_bytes_per_doc"), (Double) figures.get("query_encoding_p50_ms"),
                (Double) figures.get("query_encoding_p95_ms"), colbert.depth,
                (Double) figures.get("no_index_ms"), (Integer) figures.get("exact_queries"),
                (Double) figures.get("float16_max_abs_score_change"), (Double) figures.get("float16_mean_abs_score_change"),
                (Integer) figures.get("float16_identical_top10"), (Integer) figures.get("exact_queries"),
                (Double) figures.get("int8_max_abs_score_change"), (Double) figures.get("int8_mean_abs_score_change"),
                (Integer) figures.get("int8_identical_top10"), (Integer) figures.get("exact_queries")));
        MarkdownReport.write(io.out.resolve("colbert.md"), md.toString());
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().println("wrote " + io.out.resolve("colbert.md") + ", colbert.json and summary.json");
        spec.commandLine().getOut().flush();
    }
}
