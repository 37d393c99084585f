package dev.labbook.cli.render;


/**
 * A one-line picture of a metric series in braille, for the TREND column of metric tables; the
 * plot is {@link Plot}. As the plot, it cuts the step range into columns, two per character, and
 * draws each column from the smallest to the largest value of its points, on four dot rows from
 * the series' minimum (bottom) to its maximum (top): a spike or a dip that the server's min/max
 * downsampling kept reaches the top or the bottom row, where an average (a bar per column, as
 * this once drew) would halve it. NaN and infinities are skipped; a character without a finite
 * point is a blank.
 */
public final class Sparkline {
    static final int LEVELS = 4;
    /** Braille dot bits (U+2800 + bits) by column side (left, right) and level (0: bottom). */
    private static final int[][] DOTS = {{0x40, 0x04, 0x02, 0x01}, {0x80, 0x20, 0x10, 0x08}};

    private Sparkline() {
    }

    /**
     * At most {@code width} characters: {@code 2 * width} columns, or one column per step when the
     * series spans fewer steps; "" when no value is finite.
     */
    public static String line(long[] steps, double[] values, int width) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                lo = Math.min(lo, values[i]);
                hi = Math.max(hi, values[i]);
                first = Math.min(first, steps[i]);
                last = Math.max(last, steps[i]);
            }
        }
        if (lo > hi) {
            return "";
        }
        long span = last - first + 1;
        int columns = (int) Math.max(1, Math.min(2L * Math.max(1, width), span));
        double[] cmin = new double[columns];
        double[] cmax = new double[columns];
        java.util.Arrays.fill(cmin, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(cmax, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                int c = (int) Math.max(0, Math.min(columns - 1, (long) ((double) (steps[i] - first) / span * columns)));
                cmin[c] = Math.min(cmin[c], values[i]);
                cmax[c] = Math.max(cmax[c], values[i]);
            }
        }
        int[] bits = new int[(columns + 1) / 2];
        for (int c = 0; c < columns; c++) {
            if (cmin[c] <= cmax[c]) {
                for (int level = level(cmin[c], lo, hi); level <= level(cmax[c], lo, hi); level++) {
                    bits[c / 2] |= DOTS[c % 2][level];
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (int b : bits) {
            out.append(b == 0 ? ' ' : (char) (0x2800 + b));
        }
        return out.toString();
    }

    /** The dot row of {@code v}: 0 (bottom, {@code lo}) to {@link #LEVELS} - 1 (top, {@code hi}); 1 when flat. */
    private static int level(double v, double lo, double hi) {
        return hi == lo ? 1 : (int) Math.round((v - lo) / (hi - lo) * (LEVELS - 1));
    }

    public static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(java.util.Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+($|e)", "$1$2")
                .replace(".e", "e").replaceAll("\\.$", "");
    }
}
