package dev.labbook.sdk;

/** Summary of one metric series: the point with the highest step, extremes and count. */
public record MetricSummary(String key, double lastValue, long lastStep, long lastTimestampMs, double min,
        double max, long count) {
}
