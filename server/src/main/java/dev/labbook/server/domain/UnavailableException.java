package dev.labbook.server.domain;

/** The storage cannot be reached right now, or the server is going away; the same request may succeed when retried (UNAVAILABLE). */
public final class UnavailableException extends LabbookException {
    private static final long serialVersionUID = 1L;

    /** The database: {@link ErrorReason#DATABASE_UNAVAILABLE}. */
    public UnavailableException(String message, Throwable cause) {
        this(ErrorReason.DATABASE_UNAVAILABLE, message, cause);
    }

    public UnavailableException(ErrorReason reason, String message, Throwable cause) {
        super(reason, message);
        initCause(cause);
    }
}
