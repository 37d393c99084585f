package dev.labbook.cli.render;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal chart of one or more metric series on a character grid. The x axis is the step: the
 * step range is cut into one bucket per plot column, and each column draws, for each series, the
 * whole range from the smallest to the largest value of its points in that bucket (so a spike or
 * a dip that the server's min/max downsampling kept is drawn, never averaged away). The y axis
 * runs from the smallest to the largest finite value of all series; its top and bottom labels are
 * those exact values. NaN and infinite values are skipped and counted ({@link #skipped()}).
 *
 * <p>One series is drawn with full blocks; several are overlaid, each with its own marker and, when
 * {@code color} is set, its own ANSI colour, and a legend names them. Where series overlap in a
 * cell, the later one is drawn.
 */
public final class Plot {
    /** One series: its label (for the legend) and its points in step order. */
    public record Series(String label, long[] steps, double[] values) {
    }

    static final char SOLO = '█';
    static final char[] MARKERS = {'•', '×', '+', 'o', '*', '#', '%', '@', '=', '~'};
    private static final int[] COLORS = {34, 31, 32, 33, 35, 36, 94, 91, 92, 93};
    private static final String RESET = "\u001b[0m";
    /** Columns between step ticks on the x axis, at least. */
    private static final int TICK_SPACING = 14;

    private final List<Series> series;
    private final int width;
    private final int height;
    private final boolean color;
    private long skipped;

    private Plot(List<Series> series, int width, int height, boolean color) {
        this.series = series;
        this.width = width;
        this.height = Math.max(2, height);
        this.color = color;
    }

    public static Plot of(List<Series> series, int width, int height, boolean color) {
        return new Plot(List.copyOf(series), width, height, color);
    }

    /** NaN or infinite points skipped by the last {@link #render()}. */
    public long skipped() {
        return skipped;
    }

    public static char marker(int seriesIndex, int seriesCount) {
        return seriesCount == 1 ? SOLO : MARKERS[seriesIndex % MARKERS.length];
    }

    /**
     * The chart's lines, each at most {@code width} characters (plus colour codes): the plot rows
     * with value labels on the left, the x axis with tick marks, the step labels, and for several
     * series a legend (one line per series).
     */
    public List<String> render() {
        skipped = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.values().length; i++) {
                double v = s.values()[i];
                if (!Double.isFinite(v)) {
                    skipped++;
                    continue;
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                first = Math.min(first, s.steps()[i]);
                last = Math.max(last, s.steps()[i]);
            }
        }
        List<String> out = new ArrayList<>();
        if (lo > hi) {
            out.add("(no finite values to plot)");
            return out;
        }
        String[] labels = new String[height];
        int labelWidth = 0;
        for (int r = 0; r < height; r++) {
            // Top and bottom carry the exact extremes; every fourth row between them its value.
            boolean labelled = r == 0 || r == height - 1 || (r % 4 == 0 && height - 1 - r >= 2);
            labels[r] = !labelled ? "" : Sparkline.format(valueAtRow(r, lo, hi));
            labelWidth = Math.max(labelWidth, labels[r].length());
        }
        int columns = Math.max(2, width - labelWidth - 2);
        long span = last - first + 1;
        if (span < columns) {
            columns = (int) Math.max(2, span); // one column per step: no gaps between them
        }
        // grid[row][col]: index of the series drawn there, -1 for empty. Row 0 is the top.
        int[][] grid = new int[height][columns];
        for (int[] row : grid) {
            java.util.Arrays.fill(row, -1);
        }
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            double[] cmin = new double[columns];
            double[] cmax = new double[columns];
            java.util.Arrays.fill(cmin, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(cmax, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < s.values().length; i++) {
                double v = s.values()[i];
                if (Double.isFinite(v)) {
                    int c = column(s.steps()[i], first, span, columns);
                    cmin[c] = Math.min(cmin[c], v);
                    cmax[c] = Math.max(cmax[c], v);
                }
            }
            for (int c = 0; c < columns; c++) {
                if (cmin[c] <= cmax[c]) {
                    int top = row(cmax[c], lo, hi);
                    int bottom = row(cmin[c], lo, hi);
                    for (int r = top; r <= bottom; r++) {
                        grid[r][c] = k;
                    }
                }
            }
        }
        for (int r = 0; r < height; r++) {
            StringBuilder line = new StringBuilder();
            line.append(" ".repeat(labelWidth - labels[r].length())).append(labels[r])
                    .append(labels[r].isEmpty() ? " │" : " ┤");
            int current = -1;
            for (int c = 0; c < columns; c++) {
                int k = grid[r][c];
                if (color && k != current) {
                    line.append(k < 0 ? RESET : "\u001b[" + COLORS[k % COLORS.length] + "m");
                    current = k;
                }
                line.append(k < 0 ? ' ' : marker(k, series.size()));
            }
            if (color && current >= 0) {
                line.append(RESET);
            }
            out.add(strip(line));
        }
        // The x axis: tick marks at evenly spaced columns, each labelled with the first step of its bucket.
        StringBuilder axis = new StringBuilder(" ".repeat(labelWidth + 1)).append('└');
        char[] labelLine = " ".repeat(labelWidth + 2 + columns + 16).toCharArray();
        int ticks = Math.max(1, columns / TICK_SPACING);
        List<Integer> tickColumns = new ArrayList<>();
        for (int t = 0; t <= ticks; t++) {
            tickColumns.add(t == ticks ? columns - 1 : (int) ((long) t * (columns - 1) / ticks));
        }
        int freeFrom = 0;
        for (int c = 0; c < columns; c++) {
            axis.append(tickColumns.contains(c) ? '┬' : '─');
        }
        for (int t = 0; t < tickColumns.size(); t++) {
            int c = tickColumns.get(t);
            long step = t == tickColumns.size() - 1 ? last : first + (long) c * span / columns;
            String text = Long.toString(step);
            int at = labelWidth + 2 + c - (t == tickColumns.size() - 1 ? text.length() - 1 : text.length() / 2);
            at = Math.max(at, labelWidth + 2);
            if (at < freeFrom || at + text.length() > labelLine.length) {
                continue;
            }
            text.getChars(0, text.length(), labelLine, at);
            freeFrom = at + text.length() + 1;
        }
        out.add(axis.toString());
        out.add(new String(labelLine).stripTrailing());
        if (series.size() > 1) {
            for (int k = 0; k < series.size(); k++) {
                String mark = String.valueOf(marker(k, series.size()));
                out.add(" ".repeat(labelWidth + 2) + (color ? "\u001b[" + COLORS[k % COLORS.length] + "m" + mark + RESET : mark)
                        + " " + series.get(k).label());
            }
        }
        return out;
    }

    /** The value at the centre of row {@code r} (0 = top = {@code hi}). */
    private double valueAtRow(int r, double lo, double hi) {
        return hi - (hi - lo) * r / (height - 1);
    }

    private int row(double v, double lo, double hi) {
        if (hi == lo) {
            return height / 2;
        }
        int r = (int) Math.round((hi - v) / (hi - lo) * (height - 1));
        return Math.max(0, Math.min(height - 1, r));
    }

    private static int column(long step, long first, long span, int columns) {
        int c = (int) ((double) (step - first) / span * columns);
        return Math.max(0, Math.min(columns - 1, c));
    }

    private static String strip(StringBuilder line) {
        return line.toString().stripTrailing();
    }

    /** Whether to colour a chart on stdout: a terminal, TERM not dumb, NO_COLOR unset. */
    public static boolean colorTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && System.getenv("NO_COLOR") == null && term != null
                && !term.isBlank() && !"dumb".equals(term);
    }
}
