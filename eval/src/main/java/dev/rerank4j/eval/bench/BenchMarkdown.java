package dev.rerank4j.eval.bench;

import java.util.Locale;
import java.util.Map;

/** The tables of {@code bench.json} as Markdown ({@code bench.md}), in the layout of docs/performance.md. */
final class BenchMarkdown {

    private BenchMarkdown() {
    }

    static String render(Map<String, Object> report) {
        StringBuilder md = new StringBuilder();
        md.append("# bench-ce\n\n");
        if (report.get("machine") instanceof Map<?, ?> machine) {
            md.append(String.format(Locale.ROOT, "Machine: %s cores, %s (%s; %s), %s; load average %s before, %s after; %s s.%n%n",
                    machine.get("cores"), machine.get("cpu"), machine.get("cpu_id"), machine.get("cpu_flags"),
                    machine.get("jvm"), machine.get("load_average_before"),
                    machine.get("load_average_after"), machine.get("bench_seconds")));
        }
        md.append("| scorer | concurrent requests | pairs/s | p50 ms | p95 ms | padding waste | model GFLOP/s | of roofline |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map.Entry<String, Object> entry : report.entrySet()) {
            if (entry.getValue() instanceof Map<?, ?> scorer && scorer.get("concurrency") instanceof Map<?, ?> rows) {
                for (Map.Entry<?, ?> row : rows.entrySet()) {
                    Map<?, ?> r = (Map<?, ?>) row.getValue();
                    md.append(String.format(Locale.ROOT, "| `%s` | %s | %.1f | %.0f | %.0f | %.3f | %.1f | %.0f %% |%n",
                            entry.getKey(), row.getKey(), num(r, "pairs_per_s"), num(r, "p50_ms"), num(r, "p95_ms"),
                            num(r, "padding_waste"), num(r, "model_gflops_per_s"), 100 * num(r, "fraction_of_roofline")));
                }
            }
        }
        StringBuilder engines = new StringBuilder();
        for (Map.Entry<String, Object> entry : report.entrySet()) {
            if (entry.getValue() instanceof Map<?, ?> scorer && scorer.get("engine") instanceof String engine) {
                engines.append("- `").append(entry.getKey()).append("`: ").append(engine).append('\n');
            }
        }
        if (!engines.isEmpty()) {
            md.append("\nEngines:\n\n").append(engines);
        }
        md.append(String.format(Locale.ROOT, "%nRoofline %.1f GFLOP/s (%s): PyTorch GEMM %.1f, ONNX Runtime GEMM %s.%n",
                number(report.get("roofline_gflops")), report.get("roofline_source"),
                number(report.get("gemm_gflops")), report.get("ort_gemm_gflops")));
        ratioTable(md, report, "vs_lc4j_by_concurrency", "rerank4j-onnx vs OnnxScoringModel");
        ratioTable(md, report, "int8_vs_fp32_by_concurrency", "int8 vs fp32");
        ratioTable(md, report, "vs_one_run_by_concurrency", "one run per core vs one run over all cores");
        ratioTable(md, report, "merged_vs_unmerged_by_concurrency", "merged vs unmerged requests");
        ratioTable(md, report, "vs_large_batches_by_concurrency", "CPU batch budget (512 tokens) vs the GPU one (8192)");
        ratioTable(md, report, "vs_unfused_by_concurrency", "attention fused at load vs the graph as exported");
        ratioTable(md, report, "vs_padded_by_concurrency", "unpadded batches vs up to 10 % padding");
        if (report.get("onnx_file_variants_vs_onnx") instanceof Map<?, ?> variants) {
            variants.forEach((name, ratios) -> ratioTable(md, Map.of("ratios", ratios), "ratios", name + " vs rerank4j-onnx"));
        }
        if (report.get("ort_threading_pairs_per_s") instanceof Map<?, ?> threading) {
            md.append("\n| ONNX Runtime setting (plain sessions, the scorer's batches) | pairs/s |\n| --- | --- |\n");
            threading.forEach((name, value) -> md.append("| ").append(name).append(" | ")
                    .append(value instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : value)
                    .append(" |\n"));
        }
        if (report.get("scorer_vs_plain_sessions") instanceof Map<?, ?> plain) {
            md.append(String.format(Locale.ROOT, "%nrerank4j-onnx at one request vs plain ONNX Runtime sessions running "
                    + "its batches, passes alternating: %sx (scorer %s, plain sessions %s pairs/s)%n",
                    plain.get("ratio"), plain.get("scorer_pairs_per_s"), plain.get("plain_sessions_pairs_per_s")));
        }
        if (report.get("ort_profile") instanceof Map<?, ?> profiles) {
            for (Map.Entry<?, ?> profile : profiles.entrySet()) {
                Map<?, ?> p = (Map<?, ?>) profile.getValue();
                md.append(String.format(Locale.ROOT, "%n`%s`, one thread, %s pairs: %.0f ms of kernel time%n%n",
                        profile.getKey(), p.get("pairs"), number(p.get("kernel_ms"))));
                md.append("| operator | ms | share |\n| --- | --- | --- |\n");
                ((Map<?, ?>) p.get("by_operator")).forEach((op, value) -> {
                    Map<?, ?> v = (Map<?, ?>) value;
                    if (num(v, "share") >= 0.005) {
                        md.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f %% |%n", op, num(v, "ms"), 100 * num(v, "share")));
                    }
                });
            }
        }
        if (report.get("sla") instanceof Map<?, ?> sla) {
            md.append(String.format(Locale.ROOT, "%nCascade at a %s ms budget, %s concurrent requests (adaptive depth at "
                    + "least %s; learned %s ns/token):%n%n", sla.get("budget_ms"), sla.get("concurrency"),
                    sla.get("min_depth"), sla.get("learned_ns_per_token")));
            md.append("| depth policy | p50 ms | p95 ms | p99 ms | depths chosen (depth: requests) | fallbacks | reranked pairs/s |\n");
            md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
            for (Map.Entry<?, ?> run : sla.entrySet()) {
                if (run.getValue() instanceof Map<?, ?> r) {
                    md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s | %s | %.1f |%n", run.getKey(),
                            num(r, "p50_ms"), num(r, "p95_ms"), num(r, "p99_ms"), r.get("depths"), r.get("fallbacks"),
                            num(r, "reranked_pairs_per_s")));
                }
            }
        }
        return md.toString();
    }

    private static void ratioTable(StringBuilder md, Map<String, Object> report, String key, String title) {
        if (!(report.get(key) instanceof Map<?, ?> ratios)) {
            return;
        }
        md.append("\n").append(title).append(" (pairs/s ratio of passes run back to back, median and each repeat; CPU time "
                + "ratio: the second's process CPU seconds per pair over the first's):\n\n");
        md.append("| concurrent requests | ratio | by repeat | CPU time ratio | p95 ms (each) |\n| --- | --- | --- | --- | --- |\n");
        ratios.forEach((c, value) -> {
            Map<?, ?> r = (Map<?, ?>) value;
            StringBuilder p95 = new StringBuilder();
            r.forEach((k, v) -> {
                if (k.toString().startsWith("p95_ms_")) {
                    p95.append(p95.length() == 0 ? "" : " / ").append(k.toString().substring(7)).append(' ')
                            .append(String.format(Locale.ROOT, "%.0f", number(v)));
                }
            });
            md.append(String.format(Locale.ROOT, "| %s | %.2f× | %s | %s | %s |%n", c, num(r, "speedup"),
                    r.get("speedup_by_repeat"), r.containsKey("cpu_time_ratio")
                            ? String.format(Locale.ROOT, "%.2f× %s", num(r, "cpu_time_ratio"), r.get("cpu_time_ratio_by_repeat"))
                            : "–", p95));
        });
    }

    private static double num(Map<?, ?> map, String key) {
        return number(map.get(key));
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
