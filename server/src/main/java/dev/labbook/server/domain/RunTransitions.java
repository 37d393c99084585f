package dev.labbook.server.domain;

import dev.labbook.server.domain.RunStatusChange.Reason;
import java.time.Instant;

/**
 * The status rules of a run, without storage: QUEUED -> RUNNING (start) -> COMPLETED | FAILED
 * (finish) or CANCELED (cancel, also from QUEUED; a QUEUED run may also fail), and back from a
 * terminal status to RUNNING only by resuming. RUNNING -> CRASHED happens only in the lease
 * expiry pass ({@link RunLeases}); a CRASHED run finishes or cancels like a RUNNING one, and
 * start, resume and a lease renewal make it RUNNING again (reason RESUME). Each rule gives the run after the change with
 * the history entry to record, or the run unchanged when the call asks for what already holds
 * (retries are safe); a change the lifecycle forbids is FAILED_PRECONDITION with reason
 * INVALID_STATUS_TRANSITION and the run's status in the metadata key {@code status}.
 */
final class RunTransitions {
    /** Year 9999, the last time every client and PostgreSQL represent. */
    private static final long MAX_TIME_MS = 253_402_300_799_999L;

    private RunTransitions() {
    }

    /** A run after a rule; {@code change} is null when nothing changed. */
    record Transition(Run run, RunStatusChange change) {
        static Transition unchanged(Run run) {
            return new Transition(run, null);
        }

        boolean changed() {
            return change != null;
        }
    }

    /**
     * StartRun: QUEUED becomes RUNNING with its start time; RUNNING stays; CRASHED is RUNNING
     * again (its writer is back); a finished run is refused.
     */
    static Transition start(Run run, Instant now) {
        return switch (run.status()) {
            case QUEUED -> started(run, now);
            case RUNNING -> Transition.unchanged(run);
            case CRASHED -> resumed(run, now);
            case COMPLETED, FAILED, CANCELED -> throw refused(run, "run " + run.id() + " is " + run.status()
                    + "; a finished run is started again with ResumeRun");
        };
    }

    /**
     * FinishRun: a RUNNING run becomes COMPLETED or FAILED, a QUEUED one only FAILED; finishing
     * with the status the run already has changes nothing. {@code endTime} null means now.
     */
    static Transition finish(Run run, RunStatus target, Instant endTime, Instant now) {
        checkFinish(target, endTime);
        if (run.status() == target) {
            return Transition.unchanged(run);
        }
        if (run.status().isTerminal()) {
            throw refused(run, "run " + run.id() + " is already " + run.status() + "; it cannot become " + target);
        }
        if (run.status() == RunStatus.QUEUED && target == RunStatus.COMPLETED) {
            throw refused(run, "run " + run.id() + " is QUEUED: it never ran, so it cannot complete"
                    + " (start it first, or finish it as FAILED, or cancel it)");
        }
        Instant earliest = run.startTime() != null ? run.startTime() : run.createTime();
        if (endTime != null && endTime.isBefore(earliest)) {
            throw new InvalidArgumentException("end_time_ms", "is before the run's "
                    + (run.startTime() != null ? "start" : "creation") + " time " + earliest.toEpochMilli());
        }
        Instant end = endTime != null ? endTime : now;
        return new Transition(run.withStatus(target, run.startTime(), end, run.resumeCount()),
                new RunStatusChange(run.status(), target, now, Reason.FINISH));
    }

    /** The request checks of FinishRun, which hold whatever the run: a final status, a representable time. */
    static void checkFinish(RunStatus target, Instant endTime) {
        if (target != RunStatus.COMPLETED && target != RunStatus.FAILED) {
            throw new InvalidArgumentException("status", "must be RUN_STATUS_COMPLETED or RUN_STATUS_FAILED"
                    + " (CancelRun cancels a run)");
        }
        if (endTime != null && (endTime.toEpochMilli() < 0 || endTime.toEpochMilli() > MAX_TIME_MS)) {
            throw new InvalidArgumentException("end_time_ms", "must lie between 1970 and the year 9999");
        }
    }

    /** CancelRun: a QUEUED, RUNNING or CRASHED run becomes CANCELED; CANCELED stays; COMPLETED or FAILED is refused. */
    static Transition cancel(Run run, Instant now) {
        return cancel(run, null, now);
    }

    /** CancelRun with an end time ({@code endTime} null: now), not before the run's start or creation. */
    static Transition cancel(Run run, Instant endTime, Instant now) {
        checkEndTime(endTime);
        return switch (run.status()) {
            case QUEUED, RUNNING, CRASHED -> new Transition(run.withStatus(RunStatus.CANCELED, run.startTime(),
                    cancelEnd(run, endTime, now), run.resumeCount()),
                    new RunStatusChange(run.status(), RunStatus.CANCELED, now, Reason.CANCEL));
            case CANCELED -> Transition.unchanged(run);
            case COMPLETED, FAILED -> throw refused(run, "run " + run.id() + " is already " + run.status()
                    + "; only a QUEUED, RUNNING or CRASHED run can be canceled");
        };
    }

    private static Instant cancelEnd(Run run, Instant endTime, Instant now) {
        if (endTime == null) {
            return now;
        }
        Instant earliest = run.startTime() != null ? run.startTime() : run.createTime();
        if (endTime.isBefore(earliest)) {
            throw new InvalidArgumentException("end_time_ms", "is before the run's "
                    + (run.startTime() != null ? "start" : "creation") + " time " + earliest.toEpochMilli());
        }
        return endTime;
    }

    /** A representable end time (null: none given). */
    static void checkEndTime(Instant endTime) {
        if (endTime != null && (endTime.toEpochMilli() < 0 || endTime.toEpochMilli() > MAX_TIME_MS)) {
            throw new InvalidArgumentException("end_time_ms", "must lie between 1970 and the year 9999");
        }
    }

    /**
     * ResumeRun and OpenRun of an existing run: a finished or CRASHED run becomes RUNNING again
     * (its resume count grows, its end time is cleared, its start time kept), a QUEUED run
     * starts, a RUNNING run stays as it is.
     */
    static Transition resume(Run run, Instant now) {
        return switch (run.status()) {
            case QUEUED -> started(run, now);
            case RUNNING -> Transition.unchanged(run);
            case COMPLETED, FAILED, CANCELED, CRASHED -> resumed(run, now);
        };
    }

    /**
     * RenewRunLease: a CRASHED run becomes RUNNING again (its writer is back); any other run is
     * left as it is (a QUEUED run is started by StartRun, a finished one resumed on purpose).
     */
    static Transition renew(Run run, Instant now) {
        return run.status() == RunStatus.CRASHED ? resumed(run, now) : Transition.unchanged(run);
    }

    private static Transition resumed(Run run, Instant now) {
        return new Transition(
                run.withStatus(RunStatus.RUNNING, run.startTime() != null ? run.startTime() : now, null,
                        run.resumeCount() + 1),
                new RunStatusChange(run.status(), RunStatus.RUNNING, now, Reason.RESUME));
    }

    private static Transition started(Run run, Instant now) {
        return new Transition(run.withStatus(RunStatus.RUNNING, now, null, run.resumeCount()),
                new RunStatusChange(RunStatus.QUEUED, RunStatus.RUNNING, now, Reason.START));
    }

    private static FailedPreconditionException refused(Run run, String message) {
        FailedPreconditionException error = new FailedPreconditionException(ErrorReason.INVALID_STATUS_TRANSITION,
                message);
        error.with("status", "RUN_STATUS_" + run.status().name()).about("run", run.id());
        return error;
    }
}
