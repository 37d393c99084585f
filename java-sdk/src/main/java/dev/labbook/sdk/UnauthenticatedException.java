package dev.labbook.sdk;

/**
 * The server does not accept the call's credentials: none were sent (CREDENTIALS_MISSING), the
 * token is unknown or malformed (CREDENTIALS_INVALID), expired (CREDENTIALS_EXPIRED) or revoked
 * (TOKEN_REVOKED); {@link #reason()} says which. gRPC {@code UNAUTHENTICATED}. The message ends
 * with what to do ({@link #HINT}).
 */
public class UnauthenticatedException extends LabbookException {
    private static final long serialVersionUID = 1L;
    /** What fixes it. */
    public static final String HINT = "set LABBOOK_TOKEN (or LABBOOK_TOKEN_FILE) or run `labbook login`";

    public UnauthenticatedException(String message, Throwable cause, ErrorInfo info) {
        super("UNAUTHENTICATED", withHint(message, HINT), cause, info);
    }

    static String withHint(String message, String hint) {
        return message == null || message.isBlank() ? hint : message + " (" + hint + ")";
    }
}
