package dev.labbook.sdk;

/**
 * A request field broke a rule (gRPC {@code INVALID_ARGUMENT}). {@link #field()} names it as the
 * server's {@code google.rpc.BadRequest} detail does ({@code name}, {@code params[2].key}, ...),
 * or is empty when the server sent no detail (or the SDK refused the value itself).
 * {@link #reason()} tells a bad field ({@code INVALID_FIELD}) from a filter that does not parse
 * ({@code INVALID_FILTER}) and an altered page token ({@code INVALID_PAGE_TOKEN}).
 */
public class InvalidArgumentException extends LabbookException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidArgumentException(String field, String message, Throwable cause) {
        this(field, message, cause, ErrorInfo.NONE);
    }

    public InvalidArgumentException(String field, String message, Throwable cause, ErrorInfo info) {
        super("INVALID_ARGUMENT", message, cause, info);
        this.field = field == null ? "" : field;
    }

    /** The request field at fault, e.g. {@code params[0].key}; empty when unknown. */
    public String field() {
        return field;
    }
}
