package dev.labbook.server.domain;

/**
 * Base of the errors the domain reports to callers. Each subclass corresponds to one canonical
 * status code; the gRPC layer maps them in one place.
 */
public abstract class LabbookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected LabbookException(String message) {
        super(message);
    }
}
