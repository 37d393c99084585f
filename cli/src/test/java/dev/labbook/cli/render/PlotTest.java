package dev.labbook.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class PlotTest {
    private static final int HEIGHT = 10;

    /** 1000 points at 1.0 with one spike (50 at step 537) and one dip (-5 at step 800). */
    private static Plot.Series spiky(String label) {
        long[] steps = new long[1000];
        double[] values = new double[1000];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
            values[i] = 1.0;
        }
        values[537] = 50;
        values[800] = -5;
        return new Plot.Series(label, steps, values);
    }

    /** The plot area of {@code lines}: the characters right of each row's axis. */
    private static List<String> area(List<String> lines) {
        return lines.subList(0, HEIGHT).stream().map(l -> l.substring(Math.max(l.indexOf('┤'), l.indexOf('│')) + 1))
                .toList();
    }

    @Test
    void aSpikeAndADipAreDrawnToTheTopAndBottomRowsAndLabelledWithTheTrueExtremes() {
        List<String> lines = Plot.of(List.of(spiky("r")), 60, HEIGHT, false).render();
        List<String> area = area(lines);
        // Only the spike's column reaches the top row, only the dip's the bottom row.
        assertThat(area.get(0).strip()).isEqualTo("█");
        assertThat(area.get(HEIGHT - 1).strip()).isEqualTo("█");
        int spikeColumn = area.get(0).indexOf('█');
        int dipColumn = area.get(HEIGHT - 1).indexOf('█');
        assertThat(spikeColumn).isLessThan(dipColumn);
        int columns = lines.get(HEIGHT).length() - lines.get(HEIGHT).indexOf('└') - 1;
        assertThat(spikeColumn).isEqualTo(537 * columns / 1000);
        // The spike's column is drawn from 1.0 (its other points) up to 50: its whole range.
        for (String row : area.subList(0, HEIGHT - 2)) {
            assertThat(row.charAt(spikeColumn)).isEqualTo('█');
        }
        assertThat(lines.get(0).strip()).startsWith("50 ┤");
        assertThat(lines.get(HEIGHT - 1).strip()).startsWith("-5 ┤");
        // x axis: ticks, and the first and last steps as labels.
        assertThat(lines.get(HEIGHT)).contains("└", "┬");
        assertThat(lines.get(HEIGHT + 1).strip()).startsWith("0").endsWith("999");
        assertThat(lines).hasSize(HEIGHT + 2);
    }

    @Test
    void nanAndInfinitiesAreSkippedAndCounted() {
        long[] steps = {0, 1, 2, 3, 4, 5};
        double[] values = {1, Double.NaN, 3, Double.POSITIVE_INFINITY, 2, Double.NEGATIVE_INFINITY};
        Plot plot = Plot.of(List.of(new Plot.Series("r", steps, values)), 40, 5, false);
        List<String> lines = plot.render();
        assertThat(plot.skipped()).isEqualTo(3);
        assertThat(lines.get(0)).startsWith("3 ┤");
        assertThat(lines.get(4)).startsWith("1 ┤");
        assertThat(String.join("\n", lines)).doesNotContain("Infinity", "NaN");
        Plot none = Plot.of(List.of(new Plot.Series("r", new long[] {0}, new double[] {Double.NaN})), 40, 5, false);
        assertThat(none.render()).containsExactly("(no finite values to plot)");
        assertThat(none.skipped()).isEqualTo(1);
    }

    @Test
    void severalRunsAreOverlaidWithTheirOwnMarkersAndALegend() {
        Plot.Series a = spiky("0a1b2c lr-big");
        Plot.Series b = new Plot.Series("3d4e5f lr-small", new long[] {0, 500, 999}, new double[] {10, 20, 30});
        List<String> lines = Plot.of(List.of(a, b), 60, HEIGHT, false).render();
        String area = String.join("\n", area(lines));
        assertThat(area).contains("•", "×").doesNotContain("█");
        assertThat(lines.subList(HEIGHT + 2, lines.size())).hasSize(2);
        assertThat(lines.get(HEIGHT + 2).strip()).isEqualTo("• 0a1b2c lr-big");
        assertThat(lines.get(HEIGHT + 3).strip()).isEqualTo("× 3d4e5f lr-small");
        assertThat(lines.get(0).strip()).startsWith("50 ┤");

        List<String> colored = Plot.of(List.of(a, b), 60, HEIGHT, true).render();
        assertThat(String.join("\n", colored)).contains("\u001b[34m•", "\u001b[31m×", "\u001b[0m");
    }

    @Test
    void linesFitTheWidth() {
        for (int width : new int[] {60, 80, 33}) {
            List<String> lines = Plot.of(List.of(spiky("r")), width, HEIGHT, false).render();
            assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(width));
            assertThat(lines.get(HEIGHT).length()).isEqualTo(width); // the axis spans it
        }
        // Fewer steps than columns: one column per step.
        List<String> few = Plot.of(List.of(new Plot.Series("r", new long[] {0, 1, 2}, new double[] {0, 10, 5})),
                60, 3, false).render();
        assertThat(few.subList(0, 3)).containsExactly("10 ┤ █", "   │  █", " 0 ┤█");
    }

    @Test
    void pngAndSvgChartsAreWritten(@TempDir Path dir) throws Exception {
        var chart = ChartExport.chart("val/loss", "val/loss", List.of(spiky("0a1b2c lr-big"),
                new Plot.Series("3d4e5f lr-small", new long[] {0, 500, 999}, new double[] {10, 20, Double.NaN})));
        Path png = dir.resolve("plots/loss.png");
        Path svg = dir.resolve("loss.svg");
        ChartExport.write(chart, png, false);
        ChartExport.write(chart, svg, true);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(ChartExport.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ChartExport.HEIGHT);
        assertThat(Files.size(png)).isGreaterThan(10_000);

        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertThat(text).contains("<svg");
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(Files.size(svg)).isGreaterThan(10_000);
        assertThat(doc.getElementsByTagNameNS("*", "path").getLength()
                + doc.getElementsByTagNameNS("*", "polyline").getLength()).isGreaterThan(3);
    }

    @Test
    void withoutATerminalProgressIsOneFinalPlainLinePerTransfer() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (ProgressBar bar = new ProgressBar(err, "model.bin", 0, false, false)) {
            for (long done = 0; done <= 4 << 20; done += 1 << 18) {
                bar.update(done, 4 << 20);
            }
        }
        // Also when the transfer takes longer than the library's first redraw.
        ByteArrayOutputStream slowBytes = new ByteArrayOutputStream();
        try (ProgressBar slow = new ProgressBar(new PrintStream(slowBytes, true, StandardCharsets.UTF_8), "slow", 0,
                false, false)) {
            slow.update(1, 2);
            Thread.sleep(250);
            slow.update(2, 2);
        }
        assertThat(slowBytes.toString(StandardCharsets.UTF_8)).doesNotContain("\r").startsWith("slow 100%")
                .endsWith(System.lineSeparator()).hasLineCount(1);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r").endsWith(System.lineSeparator());
        assertThat(out.lines().toList()).hasSize(1);
        assertThat(out).contains("model.bin", "100%", "4096/4096 KiB");

        bytes.reset();
        try (ProgressBar bar = new ProgressBar(err, "sync", 0, false, false)) {
            bar.updateItems("run-1 metrics", 3, 3);
            bar.updateBytes("run-1 artifacts", 1 << 20, 1 << 20);
        }
        String phases = bytes.toString(StandardCharsets.UTF_8);
        assertThat(phases).doesNotContain("\r");
        // Phases of one transfer (a sync): its last state, once.
        assertThat(phases.lines().toList()).singleElement().asString().contains("run-1 artifacts 100%",
                "1024/1024 KiB");

        bytes.reset();
        try (ProgressBar quiet = new ProgressBar(err, "q", 0, true, false)) {
            quiet.update(5, 10);
        }
        try (ProgressBar idle = new ProgressBar(err, "idle", 0, false, false)) {
            assertThat(idle).isNotNull(); // never updated: nothing printed
        }
        assertThat(bytes.size()).isZero();
    }
}
