package dev.labbook.sdk;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.ColumnType;
import dev.labbook.api.v1.GetTableRequest;
import dev.labbook.api.v1.GetTableResponse;
import dev.labbook.api.v1.ListTablesRequest;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.TableColumn;
import dev.labbook.api.v1.TableRow;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Table calls of {@link LabbookClient} (Azure's log_row / log_table / log_list). */
public final class TablesApi {
    /** Rows per AppendTableRows call (the server's limit). */
    static final int MAX_ROWS_PER_CALL = 10_000;

    private final Channel channel;
    private final Calls calls;

    TablesApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private MetricServiceGrpc.MetricServiceBlockingStub stub() {
        return MetricServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Appends rows in order (cells: numbers or strings) and returns the table's row count after.
     * Not retried: an append sent twice is stored twice.
     */
    public long append(String runId, String table, List<? extends Map<String, ?>> rows) {
        long count = 0;
        for (int from = 0; from < rows.size() || from == 0; from += MAX_ROWS_PER_CALL) {
            AppendTableRowsRequest.Builder req = AppendTableRowsRequest.newBuilder().setRunId(runId).setTable(table);
            for (Map<String, ?> row : rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_CALL))) {
                TableRow.Builder r = TableRow.newBuilder();
                row.forEach((k, v) -> r.putCells(k, Protos.cell(v)));
                req.addRows(r);
            }
            AppendTableRowsRequest built = req.build();
            count = calls.once(() -> stub().appendTableRows(built)).getRowCount();
            if (rows.isEmpty()) {
                break;
            }
        }
        return count;
    }

    /** The whole table (all pages). */
    public Table get(String runId, String table) {
        List<Table.Column> columns = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        String token = "";
        do {
            GetTableRequest req = GetTableRequest.newBuilder().setRunId(runId).setTable(table).setPageSize(10_000)
                    .setPageToken(token).build();
            GetTableResponse resp = calls.idempotent(() -> stub().getTable(req));
            columns.clear();
            for (TableColumn c : resp.getColumnsList()) {
                columns.add(new Table.Column(c.getName(), c.getType() == ColumnType.COLUMN_TYPE_NUMBER));
            }
            for (TableRow r : resp.getRowsList()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (TableColumn c : resp.getColumnsList()) {
                    if (r.containsCells(c.getName())) {
                        row.put(c.getName(), Protos.cell(r.getCellsOrThrow(c.getName())));
                    }
                }
                rows.add(Collections.unmodifiableMap(row));
            }
            token = resp.getNextPageToken();
        } while (!token.isEmpty());
        return new Table(table, columns, rows);
    }

    /** Rows the table holds now (0 when it does not exist). */
    public long rowCount(String runId, String table) {
        try {
            long n = 0;
            String token = "";
            do {
                GetTableRequest req = GetTableRequest.newBuilder().setRunId(runId).setTable(table)
                        .setPageSize(10_000).setPageToken(token).build();
                GetTableResponse resp = calls.idempotent(() -> stub().getTable(req));
                n += resp.getRowsCount();
                token = resp.getNextPageToken();
            } while (!token.isEmpty());
            return n;
        } catch (NotFoundException e) {
            if (list(runId).contains(table)) {
                throw e;
            }
            return 0;
        }
    }

    /** Table names of the run, sorted. */
    public List<String> list(String runId) {
        ListTablesRequest req = ListTablesRequest.newBuilder().setRunId(runId).build();
        return List.copyOf(calls.idempotent(() -> stub().listTables(req)).getTablesList());
    }
}
