package dev.labbook.server.domain;

/** The named object does not exist (NOT_FOUND). */
public final class NotFoundException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
