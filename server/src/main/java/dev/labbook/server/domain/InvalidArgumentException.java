package dev.labbook.server.domain;

/** A request field breaks a documented rule. Carries the field name for BadRequest details. */
public final class InvalidArgumentException extends LabbookException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidArgumentException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the leading field name. */
    public String description() {
        return getMessage().substring(field.length() + 2);
    }
}
