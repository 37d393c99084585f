package dev.labbook.server.domain.metric;

import java.util.List;
import java.util.Map;

/** Columns of a table and one page of its rows (column name to cell), in append order. */
public record TablePage(List<TableColumn> columns, List<Map<String, Cell>> rows, String nextPageToken) {
}
