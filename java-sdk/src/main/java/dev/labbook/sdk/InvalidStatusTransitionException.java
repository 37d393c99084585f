package dev.labbook.sdk;

/**
 * The run's status does not allow the call (reason {@code INVALID_STATUS_TRANSITION}): finishing
 * a QUEUED run as COMPLETED, canceling a COMPLETED run, finishing a run again with another
 * status. {@link #runStatus()} is the status the run has, when the server said.
 */
public class InvalidStatusTransitionException extends FailedPreconditionException {
    private static final long serialVersionUID = 1L;

    public InvalidStatusTransitionException(String message, Throwable cause, ErrorInfo info) {
        super(message, cause, info);
    }

    /** The run's current status (metadata {@code status}), or null when not given. */
    public RunStatus runStatus() {
        String s = metadata().get("status");
        if (s == null) {
            return null;
        }
        String bare = s.startsWith("RUN_STATUS_") ? s.substring("RUN_STATUS_".length()) : s;
        try {
            return RunStatus.valueOf(bare);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
