package dev.labbook.server.domain.metric;

/** One metric point. */
public record Point(long step, long timestampMs, double value) {
}
