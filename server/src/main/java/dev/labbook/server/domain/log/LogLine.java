package dev.labbook.server.domain.log;

/** A stored line: its position in the run's log (0, 1, 2...) and its content. */
public record LogLine(long offset, long timestampMs, LogLevel level, LogStream stream, String text) {
}
