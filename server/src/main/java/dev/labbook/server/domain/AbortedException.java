package dev.labbook.server.domain;

/** A concurrent change got in the way (deadlock, serialization failure, a raced upload); retrying is safe (ABORTED). */
public final class AbortedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    /** A transaction conflict: {@link ErrorReason#CONCURRENT_CHANGE}. */
    public AbortedException(String message, Throwable cause) {
        this(ErrorReason.CONCURRENT_CHANGE, message, cause);
    }

    public AbortedException(ErrorReason reason, String message, Throwable cause) {
        super(reason, message);
        initCause(cause);
    }
}
