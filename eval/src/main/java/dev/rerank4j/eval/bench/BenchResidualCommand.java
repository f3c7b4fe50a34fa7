package dev.rerank4j.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.colbert.TokenVectors;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.colbert.index.ResidualCodec;
import dev.rerank4j.crossencoder.runtime.EngineKind;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.CascadePipeline;
import dev.rerank4j.eval.pipeline.ColbertPipeline;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bench-residual}: what ColBERTv2-style residual compression ({@link ResidualCodec}: a k-means centroid per
 * vector plus its residual quantised to a few bits) costs in ranking quality: the codec is trained on vectors
 * sampled from the float16 index of the candidate documents, every document's vectors go through it and back,
 * and MaxSim reranking of the same candidates is evaluated against the float16 index itself.
 */
@Command(name = "bench-residual", mixinStandardHelpOptions = true,
        description = "Residual-codec evaluation: nDCG@10 and MaxSim changes against the float16 ColBERT index.")
public final class BenchResidualCommand implements Callable<Integer> {

    @Mixin
    BenchOptions io;

    @Mixin
    ColbertBenchOptions colbert;

    @Option(names = "--queries", defaultValue = "100", description = "judged queries, every k-th (0 = all; default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--centroids", defaultValue = "256", description = "k-means centroids (default: ${DEFAULT-VALUE})")
    int centroids;

    @Option(names = "--bits", defaultValue = "2", description = "bits per residual component, 1-8 (default: ${DEFAULT-VALUE})")
    int bits;

    @Option(names = "--iterations", defaultValue = "8", description = "k-means iterations (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--sample", defaultValue = "20000", description = "vectors sampled from the index to train on (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--seed", defaultValue = "42", description = "k-means seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (sample < centroids) {
            throw new IllegalArgumentException("--sample (" + sample + ") must be at least --centroids (" + centroids + ")");
        }
        BeirDataset dataset = BeirDataset.load(io.data, io.split);
        Path candidatesFile = io.candidatesFile();
        Map<String, List<Candidate>> lists = CandidateLists.read(candidatesFile);
        List<Query> selected = Evaluator.selectQueries(dataset.judgedQueries(), queries);
        Map<String, String> docs = ColbertBenchIndexes.candidateDocuments(dataset, lists, selected, colbert.depth);
        Path colbertDir = colbert.modelDirectory();
        try (ColbertEncoder encoder = ColbertEncoder.builder().modelDirectory(colbertDir).engine(EngineKind.ONNX)
                .intraOpThreads(io.threads).build()) {
            Path float16File = ColbertBenchIndexes.float16(encoder, docs, colbert.workDir,
                    dataset.name() + "-" + io.split, !io.noProgress);
            try (ColbertIndex index = ColbertIndex.open(float16File)) {
                long start = System.nanoTime();
                TokenVectors trainingSample = sample(index);
                ResidualCodec codec = ResidualCodec.train(trainingSample, centroids, bits, iterations, seed);
                double trainSeconds = (System.nanoTime() - start) / 1e9;
                ResidualScoringModel residual = new ResidualScoringModel(encoder, index, codec);
                String name = "colbert-residual-" + centroids + "x" + bits;
                ColbertPipeline float16 = ColbertPipeline.of("colbert", encoder, index, dataset.corpus(),
                        colbertDir.toString(), colbert.depth);
                CascadePipeline compressed = CascadePipeline.of(name, residual, colbertDir.toString(),
                        encoder.engineDescription() + ", " + centroids + " centroids x " + bits + " bits",
                        dataset.corpus(), colbert.depth, colbert.depth, false);
                EvalResult result = Evaluator.builder().dataset(dataset)
                        .firstStage(new CandidateFileFirstStage(candidatesFile, colbert.depth))
                        .pipelines(List.of(float16, compressed)).maxQueries(queries).showProgress(!io.noProgress)
                        .build().run();
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("centroids", centroids);
                figures.put("bits", bits);
                figures.put("training_vectors", trainingSample.count());
                figures.put("training_seconds", trainSeconds);
                figures.put("bytes_per_vector", codec.bytesPerVector());
                figures.put("float16_bytes_per_vector", 2 * index.dim());
                figures.putAll(scoreChanges(selected, lists, float16, residual));
                write(result, figures, name);
            }
        }
        return 0;
    }

    /** Every vector of every 7th document (ids sorted), up to {@code --sample} vectors. */
    private TokenVectors sample(ColbertIndex index) {
        List<String> ids = new ArrayList<>(index.ids());
        ids.sort(null);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < ids.size() && rows.size() < sample; i += 7) {
            rows.addAll(Arrays.asList(index.vectors(ids.get(i)).toArray()));
        }
        if (rows.size() < centroids) {
            throw new IllegalArgumentException("only " + rows.size() + " vectors to train " + centroids
                    + " centroids on; use more --queries or fewer --centroids");
        }
        return TokenVectors.of(rows.subList(0, Math.min(rows.size(), sample)).toArray(new float[0][]));
    }

    /** Largest and mean |MaxSim change| of the residual scores against the float16 index, over all pairs. */
    private Map<String, Object> scoreChanges(List<Query> selected, Map<String, List<Candidate>> lists,
                                             ColbertPipeline float16, ResidualScoringModel residual) {
        double max = 0;
        double sum = 0;
        int pairs = 0;
        for (Query query : selected) {
            List<Candidate> list = lists.getOrDefault(query.id(), List.of());
            List<Content> exact = float16.rerank(query, list.subList(0, Math.min(colbert.depth, list.size())));
            List<Double> approx = residual.scoreAll(exact.stream().map(Content::textSegment).toList(),
                    query.text()).content();
            for (int i = 0; i < exact.size(); i++) {
                double diff = Math.abs(approx.get(i) - (Double) exact.get(i).metadata().get(ContentMetadata.RERANKED_SCORE));
                max = Math.max(max, diff);
                sum += diff;
                pairs++;
            }
        }
        return Map.of("max_abs_score_change", max, "mean_abs_score_change", pairs == 0 ? 0.0 : sum / pairs);
    }

    private void write(EvalResult result, Map<String, Object> figures, String name) {
        Map<String, Object> machine = MachineInfo.describe();
        SummaryJson.write(io.out.resolve("summary.json"), result, machine);
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(io.out.resolve("residual.json").toFile(), figures);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + io.out.resolve("residual.json"), e);
        }
        PipelineResult exact = result.pipeline("colbert");
        PipelineResult compressed = result.pipeline(name);
        String md = String.format(Locale.ROOT, "# Residual codec evaluation%n%n```%nrerank4j-eval %s%n```%n%n"
                        + "%s (%s), %d judged queries (every k-th), top %d candidates; machine: %s%n%n"
                        + "| centroids | bits | bytes/vector (float16: %d) | nDCG@10 (float16 index: %.4f) | max / mean abs MaxSim change |%n"
                        + "|---|---|---|---|---|%n| %d | %d | %d | %.4f (%+.4f) | %.2f / %.2f |%n%n"
                        + "Codec trained on %d vectors sampled from the index in %.1f s.%n",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()), result.dataset(), result.split(),
                result.queriesRun(), colbert.depth, machine, (Integer) figures.get("float16_bytes_per_vector"), exact.ndcg10(),
                centroids, bits, (Integer) figures.get("bytes_per_vector"), compressed.ndcg10(),
                compressed.ndcg10() - exact.ndcg10(), (Double) figures.get("max_abs_score_change"),
                (Double) figures.get("mean_abs_score_change"), (Integer) figures.get("training_vectors"),
                (Double) figures.get("training_seconds"));
        MarkdownReport.write(io.out.resolve("residual.md"), md);
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().println("wrote " + io.out.resolve("residual.md") + ", residual.json and summary.json");
        spec.commandLine().getOut().flush();
    }

    /** MaxSim against each document's vectors after a round trip through the codec (computed once per document). */
    private static final class ResidualScoringModel implements ScoringModel {
        private final ColbertEncoder encoder;
        private final ColbertIndex index;
        private final ResidualCodec codec;
        private final Map<String, TokenVectors> roundTripped = new ConcurrentHashMap<>();

        ResidualScoringModel(ColbertEncoder encoder, ColbertIndex index, ResidualCodec codec) {
            this.encoder = encoder;
            this.index = index;
            this.codec = codec;
        }

        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(query));
            List<Double> scores = new ArrayList<>(segments.size());
            for (TextSegment segment : segments) {
                String id = segment.metadata().getString(CascadePipeline.ID_KEY);
                if (id == null || !index.contains(id)) {
                    throw new IllegalArgumentException("document " + id + " is not in " + index.file());
                }
                scores.add(prepared.score(roundTripped.computeIfAbsent(id, d -> codec.roundTrip(index.vectors(d)))));
            }
            return Response.from(scores);
        }
    }
}
