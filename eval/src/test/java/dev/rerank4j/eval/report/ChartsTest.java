package dev.rerank4j.eval.report;

import dev.rerank4j.eval.metrics.Latencies;
import dev.rerank4j.eval.run.PipelineResult;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.text.AttributedCharacterIterator;
import java.text.CharacterIterator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChartsTest {

    @TempDir
    Path dir;

    @Test
    void log_axes_are_ticked_and_labelled_at_whole_decades() {
        LogAxis axis = Charts.decadeAxis("throughput (queries/s, log scale)", 0.31, 35);

        assertThat(axis.getLowerBound()).isEqualTo(0.1, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(axis.getUpperBound()).isEqualTo(100, org.assertj.core.api.Assertions.within(1e-6));
        Graphics2D g2 = new BufferedImage(800, 500, BufferedImage.TYPE_INT_RGB).createGraphics();
        List<?> ticks = axis.refreshTicks(g2, new AxisState(), new Rectangle2D.Double(0, 0, 700, 400),
                RectangleEdge.BOTTOM);
        List<String> labels = ticks.stream().map(t -> (LogTick) t).filter(t -> t.getTickType() == TickType.MAJOR)
                .map(ChartsTest::text).toList();
        assertThat(labels).containsExactly("0.1", "1", "10", "100");
    }

    @Test
    void plots_have_a_white_background() throws IOException {
        Path file = dir.resolve("q.png");
        Charts.qualityVsThroughput(file, "test", List.of(result("dense", 30, 0.62), result("ce@30", 0.3, 0.48)));
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(new Color(image.getRGB(2, 2))).isEqualTo(Color.WHITE);
        assertThat(new Color(image.getRGB(image.getWidth() / 2, image.getHeight() / 2 + 7)))
                .as("inside the plot area").isIn(Color.WHITE, new Color(0xDD, 0xDD, 0xDD));
    }

    private static String text(LogTick tick) {
        AttributedCharacterIterator chars = tick.getAttributedLabel().getIterator();
        StringBuilder text = new StringBuilder();
        for (char c = chars.first(); c != CharacterIterator.DONE; c = chars.next()) {
            text.append(c);
        }
        return text.toString();
    }

    private static PipelineResult result(String name, double qps, double ndcg) {
        return new PipelineResult(name, null, null, 1, ndcg, 0, 0, 0, null, null, null, null, null,
                Latencies.of(new double[]{1}), qps, null, 0, 0, null, null, null, Map.of(), Map.of(), Map.of());
    }
}
