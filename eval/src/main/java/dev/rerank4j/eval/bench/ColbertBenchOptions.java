package dev.rerank4j.eval.bench;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options of the ColBERT benchmarks (a picocli mixin): the model, the candidates it reranks, the index files. */
public final class ColbertBenchOptions {

    @Option(names = "--colbert-model", description = "ColBERT model directory (default: ../shared/models/minilm-l6-colbert)")
    Path colbertModel;

    @Option(names = "--depth", defaultValue = "150", description = "candidates ColBERT reranks (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--work-dir", defaultValue = "target/bench-colbert",
            description = "index files, shared by bench-colbert and bench-residual (default: ${DEFAULT-VALUE})")
    Path workDir;

    Path modelDirectory() {
        return BenchInputs.model(colbertModel, "minilm-l6-colbert", "--colbert-model");
    }
}
