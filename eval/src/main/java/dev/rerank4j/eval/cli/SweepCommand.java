package dev.rerank4j.eval.cli;

import dev.rerank4j.eval.pipeline.PipelineSpec;
import dev.rerank4j.eval.report.Charts;
import dev.rerank4j.eval.report.MachineInfo;
import dev.rerank4j.eval.report.MarkdownReport;
import dev.rerank4j.eval.report.SummaryJson;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.PipelineResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code sweep}: ce@N over several depths; plots nDCG@10 and p95 latency against N. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Cross-encoder rerank depth sweep: nDCG@10 and p95 latency against N (plus dense as N = 0).")
public final class SweepCommand implements Runnable {

    @Mixin
    CommonOptions options;

    @Option(names = "--depths", defaultValue = "5,10,20,30,50,100",
            description = "rerank depths N of ce@N (default ${DEFAULT-VALUE})", split = ",")
    List<Integer> depths;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<PipelineSpec> specs = new ArrayList<>();
        specs.add(PipelineSpec.parse("dense"));
        for (int depth : depths) {
            if (depth < 1) {
                throw new IllegalArgumentException("--depths must be positive, was " + depth);
            }
            specs.add(PipelineSpec.parse("ce@" + depth));
        }
        PrintWriter err = spec.commandLine().getErr();
        EvalResult result = Harness.evaluate(options, specs, err);
        Map<String, Object> machine = MachineInfo.describe();
        SummaryJson.write(options.out.resolve("summary.json"), result, machine);
        List<PipelineResult> sweep = result.pipelines();
        int[] x = new int[sweep.size()];
        double[] ndcg = new double[sweep.size()];
        double[] p95 = new double[sweep.size()];
        for (int i = 0; i < sweep.size(); i++) {
            x[i] = (int) Math.round(sweep.get(i).meanDepth());
            ndcg[i] = sweep.get(i).ndcg10();
            p95[i] = sweep.get(i).latency().p95();
        }
        String title = result.dataset() + " (" + result.split() + ")";
        Charts.againstDepth(options.out.resolve("ndcg_vs_depth.png"), title + ": nDCG@10 vs rerank depth",
                "nDCG@10 (0 to 1)", x, ndcg);
        Charts.againstDepth(options.out.resolve("p95_latency_vs_depth.png"), title + ": p95 latency vs rerank depth",
                "p95 latency (ms)", x, p95);
        String report = MarkdownReport.render(result, machine,
                "rerank4j-eval " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                List.of("ndcg_vs_depth.png", "p95_latency_vs_depth.png"));
        MarkdownReport.write(options.out.resolve("report.md"), report);
        PrintWriter out = spec.commandLine().getOut();
        out.println(report);
        out.flush();
    }
}
