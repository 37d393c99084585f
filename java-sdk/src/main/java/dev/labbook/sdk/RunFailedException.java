package dev.labbook.sdk;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A submitted run ended FAILED (or CRASHED) and
 * {@link SubmittedRun#waitForCompletion(boolean, java.time.Duration, boolean)} was asked to throw.
 * The message names the reason the server recorded ({@code job_failed: OOMKilled: ...},
 * {@code lease_expired}) and, for a local run, the runner's output file.
 */
public class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RunInfo run;
    private final transient StatusChange statusChange;

    public RunFailedException(RunInfo run, StatusChange statusChange, Path runnerLog) {
        super("run " + run.id() + " (" + run.name() + ") ended " + run.status() + why(statusChange)
                + (runnerLog == null ? "" : "; the local runner's output is in " + runnerLog));
        this.run = run;
        this.statusChange = statusChange;
    }

    private static String why(StatusChange c) {
        if (c == null || c.reason().isEmpty()) {
            return "";
        }
        return " (" + c.reason() + (c.message().isEmpty() ? "" : ": " + c.message()) + ")";
    }

    /** The run as it ended. */
    public RunInfo run() {
        return run;
    }

    /** The status change that ended it, with its reason and message. */
    public Optional<StatusChange> statusChange() {
        return Optional.ofNullable(statusChange);
    }
}
