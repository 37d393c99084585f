package dev.labbook.server.domain.log;

/**
 * A line as a client sends it. {@code timestampMs} 0 means "now" (the server's clock); a null
 * level means {@link LogLevel#INFO}, a null stream {@link LogStream#USER}.
 */
public record NewLogLine(long timestampMs, LogLevel level, LogStream stream, String text) {
}
