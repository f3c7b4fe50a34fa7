package dev.rerank4j.eval.report;

import dev.rerank4j.eval.run.PipelineResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;

/**
 * PNG plots (headless jfreechart) a reader can take in: white background, light grid, units in the axis titles,
 * and log axes ticked at whole decades (1, 10, 100) rather than at fractional powers.
 */
public final class Charts {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    /** Dark, distinct series colours (readable on white, unlike the default yellow). */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
            new Color(0x7f7f7f), new Color(0xbcbd22)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** nDCG@10 against throughput (log scale when every pipeline has one), one labelled point per pipeline. */
    public static void qualityVsThroughput(Path file, String title, List<PipelineResult> pipelines) {
        XYSeriesCollection data = new XYSeriesCollection();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (PipelineResult p : pipelines) {
            XYSeries series = new XYSeries(p.name());
            series.add(p.queriesPerSecond(), p.ndcg10());
            data.addSeries(series);
            min = Math.min(min, p.queriesPerSecond());
            max = Math.max(max, p.queriesPerSecond());
        }
        String xLabel = "throughput (queries/s, log scale)";
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, "nDCG@10 (0 to 1)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        if (!pipelines.isEmpty() && min > 0) {
            plot.setDomainAxis(decadeAxis(xLabel, min, max));
        } else {
            plot.getDomainAxis().setLabel("throughput (queries/s)");
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setDefaultItemLabelGenerator(new StandardXYItemLabelGenerator("{0}"));
        renderer.setDefaultItemLabelsVisible(true);
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(file, style(chart));
    }

    /**
     * A metric against rerank depth (one line).
     *
     * @param yLabel the metric with its unit, e.g. {@code "p95 latency (ms)"}
     */
    public static void againstDepth(Path file, String title, String yLabel, int[] depths, double[] values) {
        XYSeries series = new XYSeries(yLabel);
        for (int i = 0; i < depths.length; i++) {
            series.add(depths[i], values[i]);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "rerank depth N (candidates scored per query)",
                yLabel, new XYSeriesCollection(series), PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        save(file, style(chart));
    }

    /** A base-10 log axis spanning whole decades around [min, max], ticked and labelled at each decade. */
    static LogAxis decadeAxis(String label, double min, double max) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        double lower = Math.pow(10, Math.floor(Math.log10(min)));
        double upper = Math.pow(10, Math.ceil(Math.log10(max)));
        if (upper <= lower) {
            upper = lower * 10;
        }
        axis.setRange(lower * (1 - 1e-9), upper * (1 + 1e-9)); // so the end decades are inside and ticked
        axis.setTickUnit(new NumberTickUnit(1.0)); // one tick per power of ten
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        return axis;
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setPadding(new RectangleInsets(4, 4, 4, 24)); // room for the last tick label
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        for (int i = 0; i < plot.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.setDomainGridlinesVisible(true);
        plot.setRangeGridlinesVisible(true);
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setBackgroundPaint(Color.WHITE);
        }
        return chart;
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
