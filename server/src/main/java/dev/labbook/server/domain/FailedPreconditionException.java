package dev.labbook.server.domain;

/** The request is well-formed but the object's state does not allow it. */
public final class FailedPreconditionException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public FailedPreconditionException(String message) {
        super(message);
    }
}
