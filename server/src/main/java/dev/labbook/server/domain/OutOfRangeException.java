package dev.labbook.server.domain;

/** An offset or position lies past the end of the object. */
public final class OutOfRangeException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public OutOfRangeException(String message) {
        super(message);
    }
}
