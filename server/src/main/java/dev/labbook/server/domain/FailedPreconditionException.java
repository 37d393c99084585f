package dev.labbook.server.domain;

/** The request is well-formed but the object's state does not allow it (FAILED_PRECONDITION). */
public final class FailedPreconditionException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public FailedPreconditionException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
