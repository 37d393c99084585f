package dev.labbook.server.domain.log;

import dev.labbook.server.domain.RunStatus;

/**
 * What readers and appenders need to know of a run: its status, whether it or its experiment is
 * deleted, and {@code endOffset}, the number of lines its log holds (the next line's offset).
 */
public record RunLogState(RunStatus status, boolean runDeleted, boolean experimentDeleted, long endOffset) {
    /** No more lines are expected: the run finished, or it (or its experiment) is deleted. */
    public boolean closed() {
        return status.isTerminal() || runDeleted || experimentDeleted;
    }
}
