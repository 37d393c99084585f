package dev.labbook.server.domain;

/** An object with the same unique name exists (ALREADY_EXISTS). */
public final class AlreadyExistsException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
