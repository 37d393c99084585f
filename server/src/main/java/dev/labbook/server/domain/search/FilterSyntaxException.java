package dev.labbook.server.domain.search;

/**
 * A filter or order-by expression that cannot be parsed or does not type-check. The column is
 * 1-based and counts characters (code points) of the expression, so a client can point at it.
 */
public final class FilterSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int column;
    private final String reason;

    public FilterSyntaxException(int column, String reason) {
        super("column " + column + ": " + reason);
        this.column = column;
        this.reason = reason;
    }

    public int column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
