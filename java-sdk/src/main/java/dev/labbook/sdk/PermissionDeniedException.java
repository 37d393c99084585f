package dev.labbook.sdk;

/** The server refused the caller. gRPC {@code PERMISSION_DENIED}. */
public class PermissionDeniedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message, Throwable cause) {
        super("PERMISSION_DENIED", message, cause);
    }

    public PermissionDeniedException(String message, Throwable cause, ErrorInfo info) {
        super("PERMISSION_DENIED", message, cause, info);
    }
}
