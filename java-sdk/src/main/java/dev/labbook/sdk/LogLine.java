package dev.labbook.sdk;

/** One line of a run's text log; {@code offset} is its position (0, 1, 2...) in the log. */
public record LogLine(long offset, long timestampMs, LogLevel level, LogStream stream, String text) {
    /** A line to append (offsets are assigned by the server). */
    public static LogLine of(LogLevel level, String text) {
        return new LogLine(-1, System.currentTimeMillis(), level, LogStream.USER, text);
    }
}
