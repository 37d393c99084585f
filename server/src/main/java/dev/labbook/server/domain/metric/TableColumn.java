package dev.labbook.server.domain.metric;

/** A column of a run table, in first-seen order. */
public record TableColumn(String name, ColumnType type) {
}
