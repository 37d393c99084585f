package dev.labbook.sdk;

/**
 * Status of a run: QUEUED (created, not started: a submitted job waiting) → RUNNING → one of the
 * final statuses COMPLETED, FAILED, CANCELED. A final run becomes RUNNING again only by being
 * resumed. CRASHED: the server stopped hearing the run's heartbeat (its lease expired) while it
 * was RUNNING; not final, RUNNING again when a writer comes back.
 */
public enum RunStatus {
    RUNNING, COMPLETED, FAILED, CANCELED, QUEUED, CRASHED;

    /** COMPLETED, FAILED or CANCELED. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
