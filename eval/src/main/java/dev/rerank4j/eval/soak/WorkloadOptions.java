package dev.rerank4j.eval.soak;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Options {@code soak} and {@code fleet} share: the model, the synthetic workload and where Redis is. */
public final class WorkloadOptions {

    @Option(names = "--model", description = "cross-encoder directory (default: ../shared/models/tiny-ce)")
    Path model;

    @Option(names = "--candidates", defaultValue = "30", description = "first-stage candidates per query, all reranked (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--zipf", defaultValue = "1.1", description = "Zipf exponent of query popularity (default: ${DEFAULT-VALUE})")
    double zipf;

    @Option(names = "--seed", defaultValue = "42", description = "workload seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--redis-uri", description = "use this Redis (keys under a fresh prefix) instead of starting redis-server")
    String redisUri;

    /** The model directory, or an error naming {@code --model}. */
    Path modelDirectory() {
        Path directory = model != null ? model : Path.of("..", "shared", "models", "tiny-ce");
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--model " + directory + " is not a directory");
        }
        return directory;
    }

    SyntheticWorkload workload(int queries) {
        return new SyntheticWorkload(queries, candidates, zipf, seed);
    }
}
