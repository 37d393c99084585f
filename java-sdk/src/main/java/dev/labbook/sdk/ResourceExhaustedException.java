package dev.labbook.sdk;

/** A size or time limit was hit (message too large, search too long, server out of upload memory). gRPC {@code RESOURCE_EXHAUSTED}. */
public class ResourceExhaustedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public ResourceExhaustedException(String message, Throwable cause) {
        super("RESOURCE_EXHAUSTED", message, cause);
    }

    public ResourceExhaustedException(String message, Throwable cause, ErrorInfo info) {
        super("RESOURCE_EXHAUSTED", message, cause, info);
    }
}
