package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.ColumnType;
import dev.labbook.api.v1.GetTableRequest;
import dev.labbook.api.v1.GetTableResponse;
import dev.labbook.api.v1.ListTablesRequest;
import dev.labbook.api.v1.TableCell;
import dev.labbook.api.v1.TableColumn;
import dev.labbook.api.v1.TableRow;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tables: Azure log_list / log_row / log_table and ML-Dash multi-field append. */
@ExtendWith(LabbookServerExtension.class)
class MetricTablesIT {

    private static TableCell num(double v) {
        return TableCell.newBuilder().setNumberValue(v).build();
    }

    private static TableCell str(String v) {
        return TableCell.newBuilder().setStringValue(v).build();
    }

    private static TableRow row(Map<String, TableCell> cells) {
        return TableRow.newBuilder().putAllCells(cells).build();
    }

    private static long append(TestServer server, String run, String table, TableRow... rows) {
        return server.metrics().appendTableRows(AppendTableRowsRequest.newBuilder().setRunId(run).setTable(table)
                .addAllRows(List.of(rows)).build()).getRowCount();
    }

    private static GetTableResponse read(TestServer server, String run, String table) {
        return server.metrics().getTable(GetTableRequest.newBuilder().setRunId(run).setTable(table).build());
    }

    @Test
    void rowsComeBackInOrderWithColumnNamesAndTypes(TestServer server) {
        String run = MetricServiceIT.run(server);
        append(server, run, "per_class", row(Map.of("class", str("cat"), "precision", num(0.91))));
        long count = append(server, run, "per_class",
                row(Map.of("class", str("dog"), "precision", num(0.85), "recall", num(0.8))),
                row(Map.of("class", str("bird"))));

        GetTableResponse table = read(server, run, "per_class");

        assertThat(count).isEqualTo(3);
        // Columns keep first-seen order; within one row a map has no order of its own.
        assertThat(table.getColumnsList()).extracting(TableColumn::getName).hasSize(3).endsWith("recall")
                .contains("class", "precision");
        assertThat(table.getColumnsList()).filteredOn(c -> c.getName().equals("class")).extracting(TableColumn::getType)
                .containsExactly(ColumnType.COLUMN_TYPE_STRING);
        assertThat(table.getColumnsList()).filteredOn(c -> c.getName().equals("recall"))
                .extracting(TableColumn::getType).containsExactly(ColumnType.COLUMN_TYPE_NUMBER);
        assertThat(table.getRowsList()).extracting(r -> r.getCellsMap().get("class").getStringValue())
                .containsExactly("cat", "dog", "bird");
        assertThat(table.getRows(1).getCellsMap().get("recall").getNumberValue()).isEqualTo(0.8);
        assertThat(table.getRows(2).getCellsMap()).containsOnlyKeys("class");
        assertThat(server.metrics().listTables(ListTablesRequest.newBuilder().setRunId(run).build()).getTablesList())
                .extracting(dev.labbook.api.v1.TableInfo::getName).containsExactly("per_class");
    }

    @Test
    void logListIsAOneColumnTableAndPagesAreOrdered(TestServer server) {
        String run = MetricServiceIT.run(server);
        List<TableRow> rows = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            rows.add(row(Map.of("accuracy", num(i / 2500.0))));
        }
        server.metrics().appendTableRows(AppendTableRowsRequest.newBuilder().setRunId(run).setTable("accuracies")
                .addAllRows(rows).build());

        List<Double> values = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            GetTableResponse page = server.metrics().getTable(GetTableRequest.newBuilder().setRunId(run)
                    .setTable("accuracies").setPageSize(1000).setPageToken(token).build());
            page.getRowsList().forEach(r -> values.add(r.getCellsMap().get("accuracy").getNumberValue()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());

        assertThat(pages).isEqualTo(3);
        assertThat(values).hasSize(2500).isSorted();
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedAndNothingOfTheCallIsStored(TestServer server) {
        String run = MetricServiceIT.run(server);
        append(server, run, "t", row(Map.of("epoch", num(1))));

        var e = assertInvalidField("rows[1].cells[epoch]", () -> append(server, run, "t",
                row(Map.of("epoch", num(2))), row(Map.of("epoch", str("three")))));

        assertThat(e.getStatus().getDescription()).contains("holds numbers");
        assertThat(read(server, run, "t").getRowsCount()).isEqualTo(1);
        assertInvalidField("rows[0].cells[bad key!]", () -> append(server, run, "t",
                row(Map.of("bad key!", num(1)))));
        assertInvalidField("rows[0].cells[x]", () -> append(server, run, "t",
                row(Map.of("x", TableCell.getDefaultInstance()))));
        assertInvalidField("rows", () -> append(server, run, "t"));
        assertInvalidField("table", () -> append(server, run, "", row(Map.of("x", num(1)))));
        assertStatus(Code.NOT_FOUND, () -> read(server, run, "absent"));
        assertStatus(Code.NOT_FOUND, () -> append(server, UUID.randomUUID().toString(), "t",
                row(Map.of("x", num(1)))));
    }
}
