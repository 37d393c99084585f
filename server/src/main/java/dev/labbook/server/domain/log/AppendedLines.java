package dev.labbook.server.domain.log;

/**
 * Result of an append: the lines got offsets firstOffset, firstOffset + 1, ... (count of them);
 * or, when {@code duplicate}, the append repeated one its writer had committed and stored nothing
 * (count 0, firstOffset -1).
 */
public record AppendedLines(long firstOffset, int count, boolean duplicate) {
    public AppendedLines(long firstOffset, int count) {
        this(firstOffset, count, false);
    }

    static AppendedLines skipped() {
        return new AppendedLines(-1, 0, true);
    }
}
