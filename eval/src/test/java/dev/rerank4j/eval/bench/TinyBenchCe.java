package dev.rerank4j.eval.bench;

import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.support.Fixtures;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** bench-ce on the tiny cross-encoder and BEIR fixtures: 2 queries of 3 candidates, one request at a time, no warm-up. */
final class TinyBenchCe {

    private TinyBenchCe() {
    }

    /** Runs it with {@code extra} options added (none of the ones set here) and returns the exit code. */
    static int run(Path out, String... extra) {
        return run(out, null, extra);
    }

    /** As {@link #run(Path, String...)}, with picocli's error output (the message of a refused option) to {@code err}. */
    static int run(Path out, java.io.PrintWriter err, String... extra) {
        List<String> args = new ArrayList<>(List.of("--data", Fixtures.tinyBeir().toString(), "--split", "test",
                "--model", TestModels.resourceModel("tiny-ce").toString(),
                "--candidates", Fixtures.tinyCandidates().toString(), "--depth", "3", "--queries", "2",
                "--warmup", "0", "--concurrency", "1", "--gemm-repetitions", "1", "--scorers", "rerank4j-onnx",
                "--out", out.toString()));
        args.addAll(List.of(extra));
        CommandLine command = new CommandLine(new BenchCeCommand());
        if (err != null) {
            command.setErr(err);
        }
        return command.execute(args.toArray(String[]::new));
    }
}
