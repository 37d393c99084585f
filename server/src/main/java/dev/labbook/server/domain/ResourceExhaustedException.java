package dev.labbook.server.domain;

/** A request exceeds a configured limit, or the server has no room for it now (RESOURCE_EXHAUSTED). */
public final class ResourceExhaustedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    /** A configured limit: {@link ErrorReason#LIMIT_EXCEEDED}. */
    public ResourceExhaustedException(String message) {
        this(ErrorReason.LIMIT_EXCEEDED, message);
    }

    public ResourceExhaustedException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
