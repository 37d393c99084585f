package dev.labbook.sdk;

/**
 * Status of a run: QUEUED (created, not started: a submitted job waiting) → RUNNING → one of the
 * final statuses COMPLETED, FAILED, CANCELED. A final run becomes RUNNING again only by being
 * resumed.
 */
public enum RunStatus {
    RUNNING, COMPLETED, FAILED, CANCELED, QUEUED;

    /** COMPLETED, FAILED or CANCELED. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELED;
    }
}
