package dev.labbook.sdk;

/** The call did not finish within its deadline. gRPC {@code DEADLINE_EXCEEDED}. */
public class DeadlineExceededException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message, Throwable cause) {
        super("DEADLINE_EXCEEDED", message, cause);
    }

    public DeadlineExceededException(String message, Throwable cause, ErrorInfo info) {
        super("DEADLINE_EXCEEDED", message, cause, info);
    }
}
