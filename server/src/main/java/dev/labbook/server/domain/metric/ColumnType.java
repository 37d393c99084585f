package dev.labbook.server.domain.metric;

/** Type of a table column, fixed by the first value written to it. */
public enum ColumnType {
    NUMBER,
    STRING
}
