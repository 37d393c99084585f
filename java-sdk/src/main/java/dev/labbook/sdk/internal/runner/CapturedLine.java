package dev.labbook.sdk.internal.runner;

/** One line of the child's output as captured: which stream, when, and its text without the newline. */
public record CapturedLine(OutputStream stream, long timestampMs, String text) {
    /** The child's two output streams. */
    public enum OutputStream { STDOUT, STDERR }
}
