package dev.labbook.sdk;

/** An offset lies past the end (downloads, log reads). gRPC {@code OUT_OF_RANGE}. */
public class OutOfRangeException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public OutOfRangeException(String message, Throwable cause) {
        super("OUT_OF_RANGE", message, cause);
    }

    public OutOfRangeException(String message, Throwable cause, ErrorInfo info) {
        super("OUT_OF_RANGE", message, cause, info);
    }
}
