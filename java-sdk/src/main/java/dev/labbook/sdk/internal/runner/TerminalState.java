package dev.labbook.sdk.internal.runner;

/**
 * Whether the script's last output byte on the terminal (either stream) ended a line, so that
 * {@code labbook run}'s own closing message starts on a fresh line.
 */
public final class TerminalState {
    private volatile boolean midLine;

    void wrote(byte last) {
        midLine = last != '\n';
    }

    /** True when the script left the cursor in the middle of a line. */
    public boolean midLine() {
        return midLine;
    }
}
