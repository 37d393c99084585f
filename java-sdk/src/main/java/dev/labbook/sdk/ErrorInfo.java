package dev.labbook.sdk;

import java.util.Map;

/**
 * The machine-readable part of a server error: its {@link ErrorReason} and the metadata the API
 * documents for that reason (e.g. {@code expected_offset}, {@code status}, {@code field}).
 */
public record ErrorInfo(ErrorReason reason, Map<String, String> metadata) {
    /** An error that carried no ErrorInfo detail. */
    public static final ErrorInfo NONE = new ErrorInfo(ErrorReason.UNKNOWN, Map.of());

    public ErrorInfo {
        reason = reason == null ? ErrorReason.UNKNOWN : reason;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
