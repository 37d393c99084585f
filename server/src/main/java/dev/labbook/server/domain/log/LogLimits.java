package dev.labbook.server.domain.log;

/** The documented limits of text logs (see docs/logs.md). */
public final class LogLimits {
    /** Lines in one append (one AppendLogs message). */
    public static final int MAX_LINES_PER_APPEND = 10_000;
    /** UTF-8 bytes of one line's text. */
    public static final int MAX_LINE_BYTES = 64 * 1024;
    /** Lines per page read from the database (and per {@link LogService#read} call). */
    public static final int PAGE_LINES = 1000;
    /** Text bytes per page read from the database (at least one line is always returned). */
    public static final int PAGE_BYTES = 1024 * 1024;
    /** Offsets examined per query when a level filter is given, so rare levels cost bounded scans. */
    public static final int FILTER_SCAN_WINDOW = 20_000;

    private LogLimits() {
    }
}
