package dev.labbook.sdk;

/** The server (or its database or artifact store) could not be reached, also after the SDK's retries. gRPC {@code UNAVAILABLE}. */
public class UnavailableException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message, Throwable cause) {
        super("UNAVAILABLE", message, cause);
    }

    public UnavailableException(String message, Throwable cause, ErrorInfo info) {
        super("UNAVAILABLE", message, cause, info);
    }
}
