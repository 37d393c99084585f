package dev.labbook.server.domain;

/**
 * A request field breaks a documented rule (INVALID_ARGUMENT). Carries the field name for the
 * BadRequest detail and the ErrorInfo metadata key {@code field}.
 */
public final class InvalidArgumentException extends LabbookException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidArgumentException(String field, String message) {
        this(ErrorReason.INVALID_FIELD, field, message);
    }

    public InvalidArgumentException(ErrorReason reason, String field, String message) {
        super(reason, field + ": " + message);
        this.field = field;
        with("field", field);
    }

    public String field() {
        return field;
    }

    /** The message without the leading field name. */
    public String description() {
        return getMessage().substring(field.length() + 2);
    }
}
