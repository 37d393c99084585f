package dev.labbook.sdk;

/** A concurrent change conflicted with the call, also after the SDK's retries. gRPC {@code ABORTED}. */
public class AbortedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public AbortedException(String message, Throwable cause) {
        super("ABORTED", message, cause);
    }

    public AbortedException(String message, Throwable cause, ErrorInfo info) {
        super("ABORTED", message, cause, info);
    }
}
