package dev.labbook.server.domain;

/** An object with the same unique name exists. */
public final class AlreadyExistsException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }
}
