package dev.labbook.server.domain.metric;

/** A table cell: a number or a string. */
public record Cell(ColumnType type, double number, String string) {
    public static Cell number(double value) {
        return new Cell(ColumnType.NUMBER, value, null);
    }

    public static Cell string(String value) {
        return new Cell(ColumnType.STRING, 0, value);
    }
}
