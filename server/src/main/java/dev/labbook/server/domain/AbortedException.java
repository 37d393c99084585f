package dev.labbook.server.domain;

/** A concurrent change got in the way (deadlock, serialization failure); retrying is safe. */
public final class AbortedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public AbortedException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
