package dev.labbook.server.domain.metric;

import dev.labbook.server.domain.AppendSequence;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.Run;
import dev.labbook.server.store.TableRepository;
import dev.labbook.server.store.TrackingStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Tables of a run (Azure log_list / log_row / log_table, ML-Dash multi-field append): rows of
 * named columns appended in order. A column's type is fixed by its first value; a later value
 * of the other type is refused. Rows may leave columns out.
 */
public final class TableService {
    private static final int DEFAULT_PAGE_ROWS = 1_000;
    private static final int MAX_PAGE_ROWS = 10_000;

    private final TrackingStore store;
    private final Clock clock;

    public TableService(TrackingStore store) {
        this(store, Clock.systemUTC());
    }

    public TableService(TrackingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Appends rows (each column name to cell), or nothing when {@code sequence} is a duplicate of
     * an append its writer already committed; returns the table's row count afterwards.
     */
    public TableAppend append(UUID runId, String table, List<Map<String, Cell>> rows, AppendSequence sequence) {
        Limits.key("table", table);
        if (rows.isEmpty()) {
            throw new InvalidArgumentException("rows", "is empty; give at least one row");
        }
        if (rows.size() > MetricLimits.MAX_ROWS_PER_APPEND) {
            throw new InvalidArgumentException("rows", "has " + rows.size() + " rows; at most "
                    + MetricLimits.MAX_ROWS_PER_APPEND + " per call");
        }
        for (int i = 0; i < rows.size(); i++) {
            for (var cell : rows.get(i).entrySet()) {
                String field = "rows[" + i + "].cells[" + cell.getKey() + "]";
                Limits.key(field, cell.getKey());
                Cell value = cell.getValue();
                if (value == null) {
                    throw new InvalidArgumentException(field, "has no value (give a number or a string)");
                }
                if (value.type() == ColumnType.STRING) {
                    if (value.string().getBytes(StandardCharsets.UTF_8).length > MetricLimits.MAX_TABLE_STRING_BYTES) {
                        throw new InvalidArgumentException(field, "is longer than "
                                + MetricLimits.MAX_TABLE_STRING_BYTES + " bytes");
                    }
                    if (value.string().indexOf('\0') >= 0) {
                        throw new InvalidArgumentException(field, "must not contain NUL characters");
                    }
                }
            }
        }
        return store.inTransaction(tx -> {
            Run run = RunGuards.requireRun(tx, runId);
            RunGuards.requireWritable(tx, run);
            TableRepository tables = tx.tables();
            if (!sequence.claim(tx.writers(), runId, clock.instant())) {
                return new TableAppend(tables.findTable(runId, table).map(TableState::rowCount).orElse(0L), true);
            }
            TableState state = tables.lockTable(runId, table);
            Map<String, Integer> ordinals = new HashMap<>();
            Map<String, ColumnType> types = new HashMap<>();
            for (int i = 0; i < state.columns().size(); i++) {
                TableColumn column = state.columns().get(i);
                ordinals.put(column.name(), i);
                types.put(column.name(), column.type());
            }
            List<TableColumn> added = new ArrayList<>();
            List<Map<Integer, Cell>> stored = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Map<Integer, Cell> row = new HashMap<>();
                for (var cell : rows.get(i).entrySet()) {
                    String name = cell.getKey();
                    ColumnType type = types.get(name);
                    if (type == null) {
                        type = cell.getValue().type();
                        types.put(name, type);
                        ordinals.put(name, state.columns().size() + added.size());
                        added.add(new TableColumn(name, type));
                    } else if (type != cell.getValue().type()) {
                        throw new InvalidArgumentException("rows[" + i + "].cells[" + name + "]", "column '" + name
                                + "' holds " + plural(type) + ", got a " + singular(cell.getValue().type()));
                    }
                    row.put(ordinals.get(name), cell.getValue());
                }
                stored.add(row);
            }
            if (state.columns().size() + added.size() > MetricLimits.MAX_TABLE_COLUMNS) {
                throw new InvalidArgumentException("rows", "would give table '" + table + "' more than "
                        + MetricLimits.MAX_TABLE_COLUMNS + " columns");
            }
            tables.addColumns(state.id(), state.columns().size(), added);
            tables.insertRows(state.id(), state.rowCount(), stored);
            long rowCount = state.rowCount() + rows.size();
            tables.setRowCount(state.id(), rowCount);
            return new TableAppend(rowCount, false);
        });
    }

    public TablePage read(UUID runId, String table, int pageSize, String pageToken) {
        Limits.key("table", table);
        if (pageSize < 0 || pageSize > MAX_PAGE_ROWS) {
            throw new InvalidArgumentException("page_size", "must be between 0 (default " + DEFAULT_PAGE_ROWS
                    + ") and " + MAX_PAGE_ROWS);
        }
        int size = pageSize == 0 ? DEFAULT_PAGE_ROWS : pageSize;
        String fingerprint = "table|" + runId + "|" + table;
        long from = PageTokens.decodePosition("page_token", pageToken, fingerprint);
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            TableState state = tx.tables().findTable(runId, table)
                    .orElseThrow(() -> tableNotFound(runId, table));
            Map<Long, Map<Integer, Cell>> cells = tx.tables().rows(state.id(), from, size);
            long to = Math.min(state.rowCount(), from + size);
            List<Map<String, Cell>> rows = new ArrayList<>();
            for (long r = from; r < to; r++) {
                Map<String, Cell> row = new LinkedHashMap<>();
                cells.getOrDefault(r, Map.of()).entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .forEach(e -> row.put(state.columns().get(e.getKey()).name(), e.getValue()));
                rows.add(row);
            }
            String next = to < state.rowCount() ? PageTokens.encodePosition(to, fingerprint) : "";
            return new TablePage(state.columns(), rows, next);
        });
    }

    /** A page of the run's tables with their row counts and columns, by name (byte order). */
    public Page<TableState> list(UUID runId, int pageSize, String pageToken) {
        int size = Limits.pageSize("page_size", pageSize);
        String fingerprint = "tables|" + runId;
        String after = Tokens.decodeName("page_token", pageToken, fingerprint);
        List<TableState> rows = store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.tables().listTables(runId, after, size + 1);
        });
        if (rows.size() <= size) {
            return new Page<>(rows, "");
        }
        List<TableState> page = rows.subList(0, size);
        return new Page<>(page, Tokens.encodeName(page.get(size - 1).name(), fingerprint));
    }

    private static NotFoundException tableNotFound(UUID runId, String table) {
        NotFoundException error = new NotFoundException(ErrorReason.TABLE_NOT_FOUND,
                "table '" + table + "' not found in run " + runId);
        error.about("table", runId + "/" + table);
        return error;
    }

    private static String plural(ColumnType type) {
        return type == ColumnType.NUMBER ? "numbers" : "strings";
    }

    private static String singular(ColumnType type) {
        return type == ColumnType.NUMBER ? "number" : "string";
    }
}
