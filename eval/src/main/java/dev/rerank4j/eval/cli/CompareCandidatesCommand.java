package dev.rerank4j.eval.cli;

import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.report.CandidateComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;

/** {@code compare-candidates}: agreement of a first stage (e.g. {@code --dump-first-stage}) with reference lists. */
@Command(name = "compare-candidates", mixinStandardHelpOptions = true,
        description = "Compares two candidate TSVs: overlap, identical lists, identical top 10.")
public final class CompareCandidatesCommand implements Runnable {

    @Option(names = "--ours", required = true, description = "candidate TSV to check")
    Path ours;

    @Option(names = "--reference", required = true, description = "reference candidate TSV")
    Path reference;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        CandidateComparison comparison = CandidateComparison.compare(CandidateLists.read(ours),
                CandidateLists.read(reference));
        spec.commandLine().getOut().println(comparison);
        spec.commandLine().getOut().flush();
    }
}
