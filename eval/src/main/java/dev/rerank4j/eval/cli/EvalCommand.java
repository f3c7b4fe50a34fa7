package dev.rerank4j.eval.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rerank4j-eval}: what does reranking buy, and at what cost. Subcommands do the work. */
@Command(name = "rerank4j-eval", mixinStandardHelpOptions = true, version = "rerank4j-eval 0.1.0",
        description = "Evaluates dense, cross-encoder and ColBERT pipelines on BEIR-layout data.",
        subcommands = {RunCommand.class, SweepCommand.class, CompareCandidatesCommand.class,
                dev.rerank4j.eval.bench.BenchCeCommand.class, dev.rerank4j.eval.bench.BenchCascadeCommand.class,
                dev.rerank4j.eval.bench.BenchColbertCommand.class, dev.rerank4j.eval.bench.BenchResidualCommand.class,
                dev.rerank4j.eval.soak.SoakCommand.class, dev.rerank4j.eval.soak.FleetCommand.class,
                CommandLine.HelpCommand.class})
public final class EvalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call {@code execute} on it). */
    public static CommandLine commandLine() {
        return new CommandLine(new EvalCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
    }
}
