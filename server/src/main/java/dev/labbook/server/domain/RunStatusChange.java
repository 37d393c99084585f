package dev.labbook.server.domain;

import java.time.Instant;

/**
 * One recorded status change of a run; {@code from} is null for the creation. {@code message}
 * carries details the server recorded with it (what Kubernetes said for {@link Reason#JOB_FAILED});
 * usually empty.
 */
public record RunStatusChange(RunStatus from, RunStatus to, Instant at, Reason reason, String message) {

    public RunStatusChange {
        message = message == null ? "" : message;
    }

    /** A change without details. */
    public RunStatusChange(RunStatus from, RunStatus to, Instant at, Reason reason) {
        this(from, to, at, reason, "");
    }

    /** The same change for another reason, with details. */
    public RunStatusChange because(Reason newReason, String newMessage) {
        return new RunStatusChange(from, to, at, newReason, newMessage);
    }

    /** What made the status change. */
    public enum Reason {
        /** The run was created (QUEUED or RUNNING). */
        CREATE,
        /** A QUEUED run started (StartRun, OpenRun, ResumeRun). */
        START,
        /** FinishRun: COMPLETED or FAILED. */
        FINISH,
        /** CancelRun. */
        CANCEL,
        /** A finished or CRASHED run became RUNNING again (OpenRun, ResumeRun; StartRun and RenewRunLease of a CRASHED run). */
        RESUME,
        /** The server found a RUNNING run's lease expired and made it CRASHED. */
        LEASE_EXPIRED,
        /** Only in history recorded before FinishRun and CancelRun existed (UpdateRun set the status). */
        UPDATE,
        /** A submitted run's pod could not run or died (FAILED); the message says what Kubernetes said. */
        JOB_FAILED,
        /** A submitted run's Kubernetes Job was deleted under the unfinished run (CANCELED). */
        JOB_DELETED
    }
}
