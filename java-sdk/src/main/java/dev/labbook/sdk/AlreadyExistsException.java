package dev.labbook.sdk;

/** The name is taken (for example by a soft-deleted experiment). gRPC {@code ALREADY_EXISTS}. */
public class AlreadyExistsException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message, Throwable cause) {
        super("ALREADY_EXISTS", message, cause);
    }

    public AlreadyExistsException(String message, Throwable cause, ErrorInfo info) {
        super("ALREADY_EXISTS", message, cause, info);
    }
}
