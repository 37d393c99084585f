package dev.labbook.sdk;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.AppendTableRowsResponse;
import dev.labbook.api.v1.GetTableRequest;
import dev.labbook.api.v1.GetTableResponse;
import dev.labbook.api.v1.ListTablesRequest;
import dev.labbook.api.v1.ListTablesResponse;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.TableColumn;
import dev.labbook.api.v1.TableRow;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Protos;
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
    public static final int MAX_ROWS_PER_CALL = 10_000;

    private final Channel channel;
    private final Calls calls;
    private final MetricsApi metrics;

    TablesApi(Channel channel, Calls calls, MetricsApi metrics) {
        this.channel = channel;
        this.calls = calls;
        this.metrics = metrics;
    }

    private MetricServiceGrpc.MetricServiceBlockingStub stub() {
        return MetricServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Appends rows in order (cells: numbers or strings) and returns the table's row count after.
     * Safe to retry inside: the calls (of up to {@value #MAX_ROWS_PER_CALL} rows) carry a writer id
     * made for this append and a sequence each, so a call resent after a lost answer is stored
     * once. For a stream of appends to one run, prepare them from one {@link AppendWriter} instead
     * ({@link #prepare}).
     */
    public long append(String runId, String table, List<? extends Map<String, ?>> rows) {
        PendingAppend append = prepare(runId, new AppendWriter("rows"), table, rows);
        append.send();
        return append.lastAnswer();
    }

    /**
     * The calls that append these rows in order (up to {@value #MAX_ROWS_PER_CALL} each; one call
     * for no rows, which creates nothing but checks the run) with the writer's next sequences;
     * nothing is sent until {@link PendingAppend#send()}, which may be repeated after a failure.
     */
    public PendingAppend prepare(String runId, AppendWriter writer, String table, List<? extends Map<String, ?>> rows) {
        List<PendingAppend.Call> parts = new ArrayList<>();
        int from = 0;
        do {
            List<TableRow> part = Protos.rows(rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_CALL)));
            parts.add((writerId, sequence) -> appendRows(runId, writerId, sequence, table, part).count());
            from += MAX_ROWS_PER_CALL;
        } while (from < rows.size());
        return new PendingAppend(metrics::writerState, runId, writer, parts);
    }

    /**
     * One AppendTableRows call (at most {@value #MAX_ROWS_PER_CALL} rows) under a writer id and
     * sequence (see {@link AppendWriter}); the result's count is the table's row count after.
     * Empty writer id and sequence 0 mean no de-duplication. With a writer id the call is retried
     * on UNAVAILABLE/ABORTED, since the server stores a sequence once.
     */
    public AppendResult append(String runId, String writerId, long sequence, String table,
            List<? extends Map<String, ?>> rows) {
        return appendRows(runId, writerId, sequence, table, Protos.rows(rows));
    }

    private AppendResult appendRows(String runId, String writerId, long sequence, String table, List<TableRow> rows) {
        AppendTableRowsRequest req = AppendTableRowsRequest.newBuilder().setRunId(runId).setTable(table)
                .addAllRows(rows).setWriterId(writerId == null ? "" : writerId).setSequence(sequence).build();
        AppendTableRowsResponse resp = req.getWriterId().isEmpty() ? calls.once(() -> stub().appendTableRows(req))
                : calls.idempotent(() -> stub().appendTableRows(req));
        return new AppendResult(resp.getRowCount(), resp.getDuplicate());
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
                columns.add(Protos.column(c));
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
        for (TableInfo t : list(runId)) {
            if (t.name().equals(table)) {
                return t.rowCount();
            }
        }
        return 0;
    }

    /** One page of the run's tables with their row counts and columns, sorted by name. */
    public Page<TableInfo> list(String runId, int pageSize, String pageToken) {
        ListTablesRequest req = ListTablesRequest.newBuilder().setRunId(runId).setPageSize(pageSize)
                .setPageToken(pageToken == null ? "" : pageToken).build();
        ListTablesResponse resp = calls.idempotent(() -> stub().listTables(req));
        List<TableInfo> out = new ArrayList<>(resp.getTablesCount());
        resp.getTablesList().forEach(t -> out.add(Protos.table(t)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every table of the run (all pages), sorted by name. */
    public List<TableInfo> list(String runId) {
        List<TableInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<TableInfo> page = list(runId, 1000, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }
}
