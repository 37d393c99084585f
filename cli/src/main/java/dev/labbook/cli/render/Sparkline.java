package dev.labbook.cli.render;


/**
 * A one-line picture of a metric series: a sparkline (▁▂▃▄▅▆▇█); the plot is {@link Plot}.
 * Values are bucketed to the width by averaging; NaN and infinities are
 * skipped for scaling and drawn as a blank.
 */
public final class Sparkline {
    private static final char[] BARS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

    private Sparkline() {
    }

    public static String line(double[] values, int width) {
        double[] cols = bucket(values, width);
        double[] range = range(values);
        StringBuilder out = new StringBuilder();
        for (double v : cols) {
            if (!Double.isFinite(v)) {
                out.append(' ');
            } else {
                int level = range[1] == range[0] ? BARS.length / 2
                        : (int) Math.round((v - range[0]) / (range[1] - range[0]) * (BARS.length - 1));
                out.append(BARS[level]);
            }
        }
        return out.toString();
    }

    static double[] bucket(double[] values, int width) {
        if (values.length <= width) {
            return values.clone();
        }
        double[] cols = new double[width];
        for (int c = 0; c < width; c++) {
            int from = (int) ((long) c * values.length / width);
            int to = (int) ((long) (c + 1) * values.length / width);
            double sum = 0;
            int n = 0;
            for (int i = from; i < to; i++) {
                if (Double.isFinite(values[i])) {
                    sum += values[i];
                    n++;
                }
            }
            cols[c] = n == 0 ? Double.NaN : sum / n;
        }
        return cols;
    }

    private static double[] range(double[] cols) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : cols) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min > max ? new double[] {0, 0} : new double[] {min, max};
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
