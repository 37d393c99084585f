package dev.labbook.server.domain;

/** The storage cannot be reached right now; the same request may succeed when retried. */
public final class UnavailableException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
