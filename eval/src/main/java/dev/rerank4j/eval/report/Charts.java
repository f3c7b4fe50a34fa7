package dev.rerank4j.eval.report;

import dev.rerank4j.eval.run.PipelineResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** PNG plots (headless jfreechart). */
public final class Charts {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** nDCG@10 against throughput, one labelled point per pipeline. */
    public static void qualityVsThroughput(Path file, String title, List<PipelineResult> pipelines) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (PipelineResult p : pipelines) {
            XYSeries series = new XYSeries(p.name());
            series.add(p.queriesPerSecond(), p.ndcg10());
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, "throughput (queries/s, log scale)", "nDCG@10",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        if (pipelines.stream().allMatch(p -> p.queriesPerSecond() > 0)) {
            plot.setDomainAxis(new org.jfree.chart.axis.LogAxis("throughput (queries/s, log scale)"));
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setDefaultItemLabelGenerator(new StandardXYItemLabelGenerator("{0}"));
        renderer.setDefaultItemLabelsVisible(true);
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(file, chart);
    }

    /** A metric against rerank depth (one line). */
    public static void againstDepth(Path file, String title, String yLabel, int[] depths, double[] values) {
        XYSeries series = new XYSeries(yLabel);
        for (int i = 0; i < depths.length; i++) {
            series.add(depths[i], values[i]);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "rerank depth N (ce@N)", yLabel,
                new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(file, chart);
    }

    private static void save(Path file, JFreeChart chart) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
