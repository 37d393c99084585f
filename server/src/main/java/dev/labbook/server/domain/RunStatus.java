package dev.labbook.server.domain;

/**
 * Lifecycle of a run: QUEUED (created, not started) -> RUNNING -> one of the terminal statuses
 * COMPLETED, FAILED, CANCELED. A terminal run becomes RUNNING again only by being resumed.
 */
public enum RunStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELED;

    /** True for COMPLETED, FAILED and CANCELED: the run has finished. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
