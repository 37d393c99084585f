package dev.labbook.server.domain;

/** The named object does not exist. */
public final class NotFoundException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
