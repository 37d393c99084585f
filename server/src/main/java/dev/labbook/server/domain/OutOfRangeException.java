package dev.labbook.server.domain;

/** An offset, position or value lies outside the range the object has (OUT_OF_RANGE). */
public final class OutOfRangeException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public OutOfRangeException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
