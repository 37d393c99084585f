package dev.labbook.server.domain;

/**
 * Lifecycle of a run: QUEUED (created, not started) -> RUNNING -> one of the terminal statuses
 * COMPLETED, FAILED, CANCELED. A terminal run becomes RUNNING again only by being resumed.
 * A RUNNING run whose lease expired (its writers stopped renewing it) is CRASHED: not terminal,
 * RUNNING again when a writer comes back, finished by FinishRun or CancelRun.
 */
public enum RunStatus {
    QUEUED,
    RUNNING,
    COMPLETED,
    FAILED,
    CANCELED,
    CRASHED;

    /** True for COMPLETED, FAILED and CANCELED: the run has finished. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
