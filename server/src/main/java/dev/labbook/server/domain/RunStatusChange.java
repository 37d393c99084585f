package dev.labbook.server.domain;

import java.time.Instant;

/** One recorded status change of a run; {@code from} is null for the creation. */
public record RunStatusChange(RunStatus from, RunStatus to, Instant at, Reason reason) {

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
        UPDATE
    }
}
