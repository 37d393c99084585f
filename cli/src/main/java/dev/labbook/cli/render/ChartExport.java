package dev.labbook.cli.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG and SVG charts of metric series, drawn by XChart (headless). Each series is drawn as a line
 * through all its points: the server's min/max downsampling keeps each bucket's smallest and
 * largest point in step order, so the line zigzags between them and spans each bucket's whole
 * range (the band), spikes included. NaN and infinite points are left out.
 */
public final class ChartExport {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    private ChartExport() {
    }

    public static XYChart chart(String title, String yLabel, List<Plot.Series> series) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#");
        for (Plot.Series s : series) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < s.values().length; i++) {
                if (Double.isFinite(s.values()[i])) {
                    xs.add((double) s.steps()[i]);
                    ys.add(s.values()[i]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries line = chart.addSeries(unique(chart, s.label()), xs, ys);
            line.setMarker(SeriesMarkers.NONE);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        return chart;
    }

    private static String unique(XYChart chart, String label) {
        String name = label;
        for (int n = 2; chart.getSeriesMap().containsKey(name); n++) {
            name = label + " (" + n + ")";
        }
        return name;
    }

    /** Writes {@code chart} to {@code file}, as SVG when {@code svg}, else as PNG. */
    public static void write(XYChart chart, Path file, boolean svg) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (var out = Files.newOutputStream(file)) {
            if (svg) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
        }
    }
}
