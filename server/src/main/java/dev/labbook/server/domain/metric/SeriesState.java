package dev.labbook.server.domain.metric;

/**
 * Stored state of one (run, key) series: its summary and the next chunk sequence number.
 * {@code min}/{@code max} are null while every value is NaN. {@code id} is the storage id.
 */
public record SeriesState(
        long id,
        String key,
        long count,
        long lastStep,
        long lastTimestampMs,
        double lastValue,
        Double min,
        Double max,
        int nextChunkSeq) {
}
