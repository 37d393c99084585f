package dev.labbook.sdk;

/**
 * Base of every error the SDK reports for a failed server call. {@link #code()} is the gRPC
 * status code name ({@code NOT_FOUND}, {@code UNAVAILABLE}, ...); subclasses exist for the codes
 * a caller typically handles differently.
 */
public class LabbookException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public LabbookException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The gRPC status code name, e.g. {@code NOT_FOUND}. */
    public String code() {
        return code;
    }
}
