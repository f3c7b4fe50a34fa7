package dev.rerank4j.eval.support;

import dev.rerank4j.eval.cli.EvalCommand;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code rerank4j-eval} subcommands in-process and keeps what they printed. */
public final class CliRun {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    public int execute(String... args) {
        var cli = EvalCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    public String out() {
        return out.toString();
    }

    public String err() {
        return err.toString();
    }
}
