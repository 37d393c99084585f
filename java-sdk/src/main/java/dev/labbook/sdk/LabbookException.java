package dev.labbook.sdk;

import java.util.Map;

/**
 * Base of every error the SDK reports for a failed server call. {@link #code()} is the gRPC
 * status code name ({@code NOT_FOUND}, {@code UNAVAILABLE}, ...), and subclasses exist for the
 * codes a caller typically handles differently; {@link #reason()} says why in more detail
 * ({@code RUN_NOT_FOUND} or {@code EXPERIMENT_NOT_FOUND} for a NOT_FOUND), with the
 * {@link #metadata()} the API documents for that reason. Reasons with a value a caller acts on
 * have their own subclasses ({@link EtagMismatchException}, {@link UploadOffsetMismatchException},
 * {@link InvalidStatusTransitionException}).
 */
public class LabbookException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final ErrorInfo info;

    public LabbookException(String code, String message, Throwable cause) {
        this(code, message, cause, ErrorInfo.NONE);
    }

    public LabbookException(String code, String message, Throwable cause, ErrorInfo info) {
        super(message, cause);
        this.code = code;
        this.info = info == null ? ErrorInfo.NONE : info;
    }

    /** The gRPC status code name, e.g. {@code NOT_FOUND}. */
    public String code() {
        return code;
    }

    /** Why, from the server's ErrorInfo; {@link ErrorReason#UNKNOWN} when it sent none (or a newer one). */
    public ErrorReason reason() {
        return info.reason();
    }

    /** The ErrorInfo metadata, e.g. {@code field}, {@code status}, {@code expected_offset}; empty when none. */
    public Map<String, String> metadata() {
        return info.metadata();
    }

    /** Reason and metadata together. */
    public ErrorInfo errorInfo() {
        return info;
    }
}
