package dev.labbook.server.domain;

/** A request exceeds a configured size limit. */
public final class ResourceExhaustedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public ResourceExhaustedException(String message) {
        super(message);
    }
}
