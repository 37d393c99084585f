package dev.labbook.server.domain.metric;

/** Summary of one series; {@code min}/{@code max} are NaN when every value is NaN. */
public record MetricSummary(String key, double lastValue, long lastStep, long lastTimestampMs, double min,
        double max, long count) {

    static MetricSummary of(SeriesState s) {
        return new MetricSummary(s.key(), s.lastValue(), s.lastStep(), s.lastTimestampMs(),
                s.min() == null ? Double.NaN : s.min(), s.max() == null ? Double.NaN : s.max(), s.count());
    }
}
