package dev.labbook.sdk;

/**
 * A submitted run ended FAILED (or was CRASHED) and
 * {@link SubmittedRun#waitForCompletion(boolean, java.time.Duration, boolean)} was asked to throw.
 */
public class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RunInfo run;

    public RunFailedException(RunInfo run) {
        super("run " + run.id() + " (" + run.name() + ") ended " + run.status());
        this.run = run;
    }

    /** The run as it ended. */
    public RunInfo run() {
        return run;
    }
}
