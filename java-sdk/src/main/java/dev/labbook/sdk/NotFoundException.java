package dev.labbook.sdk;

/** The named object (run, experiment, artifact, metric key...) does not exist. gRPC {@code NOT_FOUND}. */
public class NotFoundException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message, Throwable cause) {
        super("NOT_FOUND", message, cause);
    }

    public NotFoundException(String message, Throwable cause, ErrorInfo info) {
        super("NOT_FOUND", message, cause, info);
    }
}
