package dev.labbook.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's table: columns in first-seen order and rows in append order. Cells are {@link Double}
 * (numbers) or {@link String}; a row lacks the columns it was not given.
 */
public record Table(String name, List<Column> columns, List<Map<String, Object>> rows) {
    /** A column and whether it holds numbers (else strings). */
    public record Column(String name, boolean numeric) {
    }

    public Table {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** The values of one column, in row order (null where a row lacks it). */
    public List<Object> column(String column) {
        List<Object> out = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            out.add(row.get(column));
        }
        return out;
    }

    /** Column name to its values in row order. */
    public Map<String, List<Object>> columnMap() {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (Column c : columns) {
            out.put(c.name(), column(c.name()));
        }
        return out;
    }
}
