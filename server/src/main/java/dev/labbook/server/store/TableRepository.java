package dev.labbook.server.store;

import dev.labbook.server.domain.metric.Cell;
import dev.labbook.server.domain.metric.TableColumn;
import dev.labbook.server.domain.metric.TableState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Run tables, within the caller's transaction. */
public interface TableRepository {
    /** Locks the table (creating an empty one) until the transaction ends. */
    TableState lockTable(UUID runId, String name);

    Optional<TableState> findTable(UUID runId, String name);

    /** Adds columns at the given ordinals (continuing the existing ones). */
    void addColumns(long tableId, int firstOrdinal, List<TableColumn> columns);

    /** Inserts rows starting at {@code firstRowIndex}; each row maps column ordinal to cell. */
    void insertRows(long tableId, long firstRowIndex, List<Map<Integer, Cell>> rows);

    void setRowCount(long tableId, long rowCount);

    /** Cells of rows [fromRow, fromRow + limit) by row index, then column ordinal; empty rows are absent. */
    Map<Long, Map<Integer, Cell>> rows(long tableId, long fromRow, int limit);

    /** Up to {@code limit} tables of the run with their columns, names in byte order after {@code afterName} (null: from the first). */
    List<TableState> listTables(UUID runId, String afterName, int limit);
}
