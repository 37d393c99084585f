package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_TABLE;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_TABLE_CELL;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_TABLE_COLUMN;

import dev.labbook.server.domain.metric.Cell;
import dev.labbook.server.domain.metric.ColumnType;
import dev.labbook.server.domain.metric.TableColumn;
import dev.labbook.server.domain.metric.TableState;
import dev.labbook.server.store.TableRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.RunTableColumnRecord;
import dev.labbook.server.store.postgres.internal.generated.tables.records.RunTableRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;

/** Run tables in PostgreSQL: a row per table, per column and per cell. */
final class PostgresTableRepository implements TableRepository {
    private final DSLContext dsl;

    PostgresTableRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public TableState lockTable(UUID runId, String name) {
        dsl.insertInto(RUN_TABLE)
                .set(RUN_TABLE.RUN_ID, runId)
                .set(RUN_TABLE.TABLE_NAME, name)
                .set(RUN_TABLE.ROW_COUNT, 0L)
                .onConflictDoNothing()
                .execute();
        RunTableRecord table = dsl.selectFrom(RUN_TABLE)
                .where(RUN_TABLE.RUN_ID.eq(runId).and(RUN_TABLE.TABLE_NAME.eq(name)))
                .forUpdate()
                .fetchSingle();
        return toState(table);
    }

    @Override
    public Optional<TableState> findTable(UUID runId, String name) {
        return dsl.selectFrom(RUN_TABLE)
                .where(RUN_TABLE.RUN_ID.eq(runId).and(RUN_TABLE.TABLE_NAME.eq(name)))
                .fetchOptional(this::toState);
    }

    private TableState toState(RunTableRecord table) {
        List<TableColumn> columns = dsl.selectFrom(RUN_TABLE_COLUMN)
                .where(RUN_TABLE_COLUMN.TABLE_ID.eq(table.getId()))
                .orderBy(RUN_TABLE_COLUMN.ORDINAL)
                .fetch(PostgresTableRepository::toColumn);
        return new TableState(table.getId(), table.getTableName(), table.getRowCount(), columns);
    }

    @Override
    public void addColumns(long tableId, int firstOrdinal, List<TableColumn> columns) {
        if (columns.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(RUN_TABLE_COLUMN, RUN_TABLE_COLUMN.TABLE_ID, RUN_TABLE_COLUMN.ORDINAL,
                RUN_TABLE_COLUMN.COLUMN_NAME, RUN_TABLE_COLUMN.COLUMN_TYPE);
        int ordinal = firstOrdinal;
        for (TableColumn column : columns) {
            insert = insert.values(tableId, ordinal++, column.name(), column.type().name().toLowerCase(Locale.ROOT));
        }
        insert.execute();
    }

    @Override
    public void insertRows(long tableId, long firstRowIndex, List<Map<Integer, Cell>> rows) {
        var insert = dsl.insertInto(RUN_TABLE_CELL, RUN_TABLE_CELL.TABLE_ID, RUN_TABLE_CELL.ROW_INDEX,
                RUN_TABLE_CELL.ORDINAL, RUN_TABLE_CELL.NUMBER_VALUE, RUN_TABLE_CELL.STRING_VALUE);
        long rowIndex = firstRowIndex;
        int cells = 0;
        for (Map<Integer, Cell> row : rows) {
            for (var cell : row.entrySet()) {
                Cell value = cell.getValue();
                insert = insert.values(tableId, rowIndex, cell.getKey(),
                        value.type() == ColumnType.NUMBER ? value.number() : null,
                        value.type() == ColumnType.STRING ? value.string() : null);
                cells++;
            }
            rowIndex++;
        }
        if (cells > 0) {
            insert.execute();
        }
    }

    @Override
    public void setRowCount(long tableId, long rowCount) {
        dsl.update(RUN_TABLE).set(RUN_TABLE.ROW_COUNT, rowCount).where(RUN_TABLE.ID.eq(tableId)).execute();
    }

    @Override
    public Map<Long, Map<Integer, Cell>> rows(long tableId, long fromRow, int limit) {
        Map<Long, Map<Integer, Cell>> rows = new HashMap<>();
        dsl.selectFrom(RUN_TABLE_CELL)
                .where(RUN_TABLE_CELL.TABLE_ID.eq(tableId)
                        .and(RUN_TABLE_CELL.ROW_INDEX.ge(fromRow))
                        .and(RUN_TABLE_CELL.ROW_INDEX.lt(fromRow + limit)))
                .forEach(c -> rows.computeIfAbsent(c.getRowIndex(), k -> new HashMap<>()).put(c.getOrdinal(),
                        c.getStringValue() != null ? Cell.string(c.getStringValue()) : Cell.number(c.getNumberValue())));
        return rows;
    }

    @Override
    public List<TableState> listTables(UUID runId, String afterName, int limit) {
        Field<String> name = RUN_TABLE.TABLE_NAME.collate("C");
        Condition where = RUN_TABLE.RUN_ID.eq(runId);
        if (afterName != null) {
            where = where.and(name.gt(afterName));
        }
        List<RunTableRecord> tables = dsl.selectFrom(RUN_TABLE).where(where).orderBy(name).limit(limit).fetch();
        Map<Long, List<TableColumn>> columns = new HashMap<>();
        if (!tables.isEmpty()) {
            dsl.selectFrom(RUN_TABLE_COLUMN)
                    .where(RUN_TABLE_COLUMN.TABLE_ID.in(tables.stream().map(RunTableRecord::getId).toList()))
                    .orderBy(RUN_TABLE_COLUMN.TABLE_ID, RUN_TABLE_COLUMN.ORDINAL)
                    .forEach(c -> columns.computeIfAbsent(c.getTableId(), id -> new ArrayList<>()).add(toColumn(c)));
        }
        return tables.stream().map(t -> new TableState(t.getId(), t.getTableName(), t.getRowCount(),
                columns.getOrDefault(t.getId(), List.of()))).toList();
    }

    private static TableColumn toColumn(RunTableColumnRecord c) {
        return new TableColumn(c.getColumnName(), ColumnType.valueOf(c.getColumnType().toUpperCase(Locale.ROOT)));
    }
}
