package dev.trellis.finetune.train;

import dev.trellis.framework.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code loss.png}: training loss (and eval loss when there is one) against the step, drawn with XChart. */
public final class LossPlot {

    /** The file name written next to a checkpoint. */
    public static final String FILE = "loss.png";

    private LossPlot() {
    }

    /** Draws the entries' {@code loss} and {@code eval_loss} against {@code step} into {@code file} (atomically). */
    public static void write(List<Map<String, Object>> entries, String title, Path file) {
        System.setProperty("java.awt.headless", "true");
        List<Double> steps = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> evalSteps = new ArrayList<>();
        List<Double> evalLoss = new ArrayList<>();
        for (Map<String, Object> e : entries) {
            double step = ((Number) e.getOrDefault("step", 0)).doubleValue();
            if (e.get("loss") instanceof Number n) {
                steps.add(step);
                loss.add(n.doubleValue());
            }
            if (e.get("eval_loss") instanceof Number n) {
                evalSteps.add(step);
                evalLoss.add(n.doubleValue());
            }
        }
        if (steps.isEmpty() && evalSteps.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(4);
        if (!steps.isEmpty()) {
            chart.addSeries("train loss", steps, loss).setMarker(steps.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        if (!evalSteps.isEmpty()) {
            chart.addSeries("eval loss", evalSteps, evalLoss).setMarker(SeriesMarkers.DIAMOND);
        }
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.write(file, png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + file + ": " + e.getMessage(), e);
        }
    }
}
