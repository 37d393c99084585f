package dev.labbook.server.domain.metric;

import java.util.List;

/** A stored table: storage id, name, row count and columns in ordinal order. */
public record TableState(long id, String name, long rowCount, List<TableColumn> columns) {
    public TableState {
        columns = List.copyOf(columns);
    }
}
