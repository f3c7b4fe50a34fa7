package dev.rerank4j.eval.bench;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options the benchmark subcommands share (a picocli mixin): the data, its first stage, threads and output. */
public final class BenchOptions {

    @Option(names = "--data", required = true, description = "BEIR-layout data set directory")
    Path data;

    @Option(names = "--split", defaultValue = "test", description = "qrels split (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--candidates", description = "first-stage candidates TSV (query-id, corpus-id, rank, score); "
            + "default: <data>/../../models/candidates/<set>-<split>.tsv")
    Path candidates;

    @Option(names = "--threads", defaultValue = "0",
            description = "intra-op threads per model run, 0 = automatic (rerank4j: one single-threaded run per core; "
                    + "OnnxScoringModel: ONNX Runtime's default) (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--no-progress", description = "no progress bars")
    boolean noProgress;

    /** The candidate file: {@code --candidates}, else the reference lists beside the shared models. */
    Path candidatesFile() {
        return BenchInputs.candidates(data, split, candidates);
    }
}
