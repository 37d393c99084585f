package dev.labbook.sdk;

/** The object is in the wrong state for the call (deleted run, reference without content...). gRPC {@code FAILED_PRECONDITION}. */
public class FailedPreconditionException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public FailedPreconditionException(String message, Throwable cause) {
        super("FAILED_PRECONDITION", message, cause);
    }

    public FailedPreconditionException(String message, Throwable cause, ErrorInfo info) {
        super("FAILED_PRECONDITION", message, cause, info);
    }
}
