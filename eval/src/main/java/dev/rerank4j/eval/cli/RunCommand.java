package dev.rerank4j.eval.cli;

import dev.rerank4j.eval.pipeline.PipelineSpec;
import dev.rerank4j.eval.report.Charts;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.eval.report.MarkdownReport;
import dev.rerank4j.eval.report.SummaryJson;
import dev.rerank4j.eval.run.EvalResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code run}: evaluates the named pipelines on one data set and writes summary.json, report.md and a plot. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Evaluate pipelines (dense, ce@N, colbert, ce-sla@MS) on the same first-stage candidates.")
public final class RunCommand implements Runnable {

    @Mixin
    CommonOptions options;

    @Option(names = "--pipelines", defaultValue = "dense,ce@30,colbert",
            description = "comma-separated pipelines (default ${DEFAULT-VALUE})")
    String pipelines;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<PipelineSpec> specs = PipelineSpec.parseList(pipelines);
        PrintWriter err = spec.commandLine().getErr();
        EvalResult result = Harness.evaluate(options, specs, err);
        Map<String, Object> machine = MachineInfo.describe();
        SummaryJson.write(options.out.resolve("summary.json"), result, machine);
        String plot = "quality_vs_throughput.png";
        Charts.qualityVsThroughput(options.out.resolve(plot), result.dataset() + " (" + result.split()
                + "): nDCG@10 vs throughput", result.pipelines());
        String report = MarkdownReport.render(result, machine, commandLine(), List.of(plot));
        MarkdownReport.write(options.out.resolve("report.md"), report);
        PrintWriter out = spec.commandLine().getOut();
        out.println(report);
        out.println("wrote " + options.out.resolve("summary.json"));
        out.flush();
    }

    private String commandLine() {
        return "rerank4j-eval " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
