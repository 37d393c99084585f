package dev.labbook.server.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Base of the errors the domain reports to callers. Each subclass corresponds to one canonical
 * status code; the gRPC layer maps them in one place. Every error names its {@link ErrorReason}
 * and may carry metadata (string pairs a client can act on, e.g. {@code expected_offset}) and
 * the object it is about ({@link #resourceType()}, {@link #resourceName()}).
 */
public abstract class LabbookException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorReason reason;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String resourceType;
    private String resourceName;

    protected LabbookException(ErrorReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public ErrorReason reason() {
        return reason;
    }

    /** Adds a metadata pair for the client (ErrorInfo metadata); returns this for chaining. */
    public LabbookException with(String key, Object value) {
        metadata.put(key, String.valueOf(value));
        return this;
    }

    /** Names the object the error is about (ResourceInfo); returns this for chaining. */
    public LabbookException about(String type, Object name) {
        this.resourceType = type;
        this.resourceName = String.valueOf(name);
        return this;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** E.g. {@code run}, {@code experiment}; null when the error is not about one object. */
    public String resourceType() {
        return resourceType;
    }

    public String resourceName() {
        return resourceName;
    }
}
