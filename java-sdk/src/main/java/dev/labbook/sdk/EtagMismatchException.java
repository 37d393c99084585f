package dev.labbook.sdk;

/**
 * A conditional update was refused because the object changed since it was read (reason
 * {@code ETAG_MISMATCH}): read it again, reapply the change, and retry with the new etag.
 */
public class EtagMismatchException extends FailedPreconditionException {
    private static final long serialVersionUID = 1L;

    public EtagMismatchException(String message, Throwable cause, ErrorInfo info) {
        super(message, cause, info);
    }
}
