package dev.labbook.server.domain;

import java.time.Instant;

/** One recorded status change of a run; {@code from} is null for the creation. */
public record RunStatusChange(RunStatus from, RunStatus to, Instant at, Reason reason) {

    /** Why the status changed. */
    public enum Reason {
        CREATE,
        UPDATE,
        RESUME
    }
}
