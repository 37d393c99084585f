package dev.labbook.sdk;

/**
 * The server knows the caller but its roles do not allow the call: {@link #reason()} is
 * ROLE_MISSING (the message names the role and project needed) or ACCESS_RULE_MISSING. gRPC
 * {@code PERMISSION_DENIED}. The message ends with what to do ({@link #HINT}) when the server
 * said why.
 */
public class PermissionDeniedException extends LabbookException {
    private static final long serialVersionUID = 1L;
    /** What fixes a missing role. */
    public static final String HINT = "use a token with that role: set LABBOOK_TOKEN or run `labbook login`";

    public PermissionDeniedException(String message, Throwable cause) {
        super("PERMISSION_DENIED", message, cause);
    }

    public PermissionDeniedException(String message, Throwable cause, ErrorInfo info) {
        super("PERMISSION_DENIED", info != null && info.reason() == ErrorReason.ROLE_MISSING
                ? UnauthenticatedException.withHint(message, HINT) : message, cause, info);
    }
}
