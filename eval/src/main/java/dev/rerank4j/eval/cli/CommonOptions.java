package dev.rerank4j.eval.cli;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Options every evaluating subcommand shares (a picocli mixin). */
public final class CommonOptions {

    @Option(names = "--data", required = true, description = "BEIR-layout data directory")
    Path data;

    @Option(names = "--split", required = true, description = "qrels split, e.g. test or dev")
    String split;

    @Option(names = "--out", required = true, description = "output directory (summary.json, report.md, plots)")
    Path out;

    @Option(names = "--ce-model", description = "cross-encoder or decoder LLM reranker model directory (default "
            + "../shared/models/minilm-l6-ce when present)")
    Path ceModel;

    @Option(names = "--ce-onnx-file", description = "ONNX file inside the cross-encoder directory, e.g. onnx/model_qint8.onnx")
    String ceOnnxFile;

    @Option(names = "--ce-instruction", description = "decoder LLM rerankers (Qwen3-Reranker, mxbai-rerank-v2) given as "
            + "--ce-model: the prompt's instruction (default: the prompt template's)")
    String ceInstruction;

    @Option(names = "--colbert-model", description = "ColBERT model directory (default ../shared/models/minilm-l6-colbert when present)")
    Path colbertModel;

    @Option(names = "--candidates", description = "first-stage candidate TSV (query-id, corpus-id, rank, score) instead of dense retrieval")
    Path candidates;

    @Option(names = "--dump-first-stage", description = "write the first-stage lists to this TSV (reference layout)")
    Path dumpFirstStage;

    @Option(names = "--depth", defaultValue = "150", description = "first-stage depth (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--max-queries", defaultValue = "0", description = "evaluate at most N queries, every k-th in qrels order (0 = all)")
    int maxQueries;

    @Option(names = "--cache-dir", description = "dense index cache (default ~/.cache/rerank4j/eval)")
    Path cacheDir;

    @Option(names = "--threads", defaultValue = "0", description = "intra-op threads of the rerankers (0 = automatic: one single-threaded run per core)")
    int threads;

    @Option(names = "--cache", description = "cross-encoder pipelines score through a CachingScoringModel; the run "
            + "reports a cold pass and a warm pass (the same queries again, named '<pipeline> warm')")
    boolean cacheScores;

    @Option(names = "--no-progress", description = "no progress bars")
    boolean noProgress;

    Path cacheDirectory() {
        return cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "rerank4j", "eval");
    }

    Path ceModelDirectory() {
        return ceModel != null ? ceModel : sharedModel("minilm-l6-ce");
    }

    Path colbertModelDirectory() {
        return colbertModel != null ? colbertModel : sharedModel("minilm-l6-colbert");
    }

    /** The stand-in under ../shared/models (or the rerank4j.shared.dir property), null when absent. */
    public static Path sharedModel(String name) {
        String configured = System.getProperty("rerank4j.shared.dir");
        Path shared = Path.of(configured != null ? configured : "../shared");
        Path dir = shared.resolve("models").resolve(name);
        return Files.isDirectory(dir) ? dir : null;
    }
}
