package dev.labbook.sdk;

import java.util.List;

/** A table of a run with its shape: row count and columns in first-seen order. */
public record TableInfo(String name, long rowCount, List<Table.Column> columns) {
    public TableInfo {
        columns = List.copyOf(columns);
    }
}
