package dev.labbook.sdk;

/**
 * Points of one series in step order as parallel arrays (columnar, so a million points cost
 * three arrays, not a million objects).
 */
public record MetricSeries(String key, long[] steps, long[] timestampsMs, double[] values, boolean downsampled) {
    public int size() {
        return values.length;
    }

    public double lastValue() {
        if (values.length == 0) {
            throw new IllegalStateException("series " + key + " is empty");
        }
        return values[values.length - 1];
    }
}
