package dev.labbook.server.domain.log;

import java.util.List;

/**
 * One page of a read. {@code nextOffset} is where the next read continues (past every line
 * examined, including lines the level filter skipped); {@code endOffset} is the number of lines
 * the log held when the page was read; {@code runClosed} says no more lines are expected (the
 * run finished or is deleted).
 */
public record LogPage(List<LogLine> lines, long nextOffset, long endOffset, boolean runClosed) {
    public LogPage {
        lines = List.copyOf(lines);
    }

    /** Every line that existed when the page was read has been examined. */
    public boolean atEnd() {
        return nextOffset >= endOffset;
    }
}
