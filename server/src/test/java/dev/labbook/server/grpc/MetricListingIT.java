package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.ColumnType;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListMetricsResponse;
import dev.labbook.api.v1.ListTablesRequest;
import dev.labbook.api.v1.ListTablesResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.TableCell;
import dev.labbook.api.v1.TableColumn;
import dev.labbook.api.v1.TableInfo;
import dev.labbook.api.v1.TableRow;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ListMetrics and ListTables: paged, in byte order of names, with a key prefix for metrics. */
@ExtendWith(LabbookServerExtension.class)
class MetricListingIT {

    /** One batch with one point for each key. */
    private static void logKeys(TestServer server, String run, List<String> keys) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run);
        for (int i = 0; i < keys.size(); i++) {
            b.addKeys(keys.get(i)).addKeyIndex(i).addStep(i).addTimestampMs(1000 + i).addValue(i);
        }
        MetricStreams.send(server.channel(), List.of(b.build()));
    }

    private static List<String> listAll(TestServer server, ListMetricsRequest request, List<Integer> pageSizes) {
        List<String> keys = new ArrayList<>();
        String token = "";
        do {
            ListMetricsResponse page = server.metrics().listMetrics(request.toBuilder().setPageToken(token).build());
            pageSizes.add(page.getMetricsCount());
            page.getMetricsList().forEach(m -> keys.add(m.getKey()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return keys;
    }

    @Test
    void twoThousandKeysComeBackOnceEachInOrderPageByPage(TestServer server) {
        String run = MetricServiceIT.run(server);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            expected.add((i % 2 == 0 ? "train/" : "val/") + String.format("m%04d", i));
        }
        logKeys(server, run, expected.subList(0, 1000));
        logKeys(server, run, expected.subList(1000, 2000));
        expected.sort(null); // byte order: the keys are ASCII

        List<Integer> defaultPages = new ArrayList<>();
        List<String> all = listAll(server, ListMetricsRequest.newBuilder().setRunId(run).build(), defaultPages);
        List<Integer> smallPages = new ArrayList<>();
        List<String> paged = listAll(server, ListMetricsRequest.newBuilder().setRunId(run).setPageSize(300).build(),
                smallPages);

        assertThat(all).isEqualTo(expected);
        assertThat(defaultPages).containsExactly(1000, 1000);
        assertThat(paged).isEqualTo(expected);
        assertThat(smallPages).containsExactly(300, 300, 300, 300, 300, 300, 200);
        MetricSummary first = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run)
                .setPageSize(1).build()).getMetrics(0);
        assertThat(first.getKey()).isEqualTo("train/m0000");
        assertThat(first.getCount()).isEqualTo(1);
    }

    @Test
    void aKeyPrefixSelectsKeysLiterally(TestServer server) {
        String run = MetricServiceIT.run(server);
        logKeys(server, run, List.of("val/acc", "val/loss", "val_x", "valid", "train/loss", "val", "va"));

        List<String> slash = listAll(server, ListMetricsRequest.newBuilder().setRunId(run).setKeyPrefix("val/")
                .setPageSize(1).build(), new ArrayList<>());
        List<String> underscore = listAll(server, ListMetricsRequest.newBuilder().setRunId(run).setKeyPrefix("val_")
                .build(), new ArrayList<>());
        List<String> val = listAll(server, ListMetricsRequest.newBuilder().setRunId(run).setKeyPrefix("val")
                .build(), new ArrayList<>());

        assertThat(slash).containsExactly("val/acc", "val/loss");
        assertThat(underscore).containsExactly("val_x");
        assertThat(val).containsExactly("val", "val/acc", "val/loss", "val_x", "valid");
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).setKeyPrefix("zzz")
                .build()).getMetricsList()).isEmpty();
    }

    @Test
    void listingArgumentsAreChecked(TestServer server) {
        String run = MetricServiceIT.run(server);
        logKeys(server, run, List.of("a", "b", "c"));
        String token = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).setPageSize(1)
                .build()).getNextPageToken();
        assertThat(token).isNotEmpty();

        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.metrics().listMetrics(
                ListMetricsRequest.newBuilder().setRunId(run).setKeyPrefix("a").setPageToken(token).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.metrics().listMetrics(
                ListMetricsRequest.newBuilder().setRunId(MetricServiceIT.run(server)).setPageToken(token).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.metrics().listMetrics(
                ListMetricsRequest.newBuilder().setRunId(run).setPageToken(token.substring(1)).build()));
        assertInvalidField("page_size", () -> server.metrics().listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(run).setPageSize(10_001).build()));
        assertInvalidField("key_prefix", () -> server.metrics().listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(run).setKeyPrefix("bad%").build()));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> server.metrics().listMetrics(ListMetricsRequest
                .newBuilder().setRunId(UUID.randomUUID().toString()).build()));
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).setPageSize(1)
                .setPageToken(token).build()).getMetrics(0).getKey()).isEqualTo("b");
    }

    private static void appendRow(TestServer server, String run, String table, String column, TableCell cell) {
        server.metrics().appendTableRows(AppendTableRowsRequest.newBuilder().setRunId(run).setTable(table)
                .addRows(TableRow.newBuilder().putCells(column, cell)).build());
    }

    @Test
    void tablesAreListedInPagesWithRowCountsAndColumns(TestServer server) {
        String run = MetricServiceIT.run(server);
        for (int i = 0; i < 25; i++) {
            appendRow(server, run, String.format("t%02d", i), "n", TableCell.newBuilder().setNumberValue(i).build());
        }
        appendRow(server, run, "t03", "label", TableCell.newBuilder().setStringValue("x").build());
        appendRow(server, run, "t03", "n", TableCell.newBuilder().setNumberValue(1).build());

        List<TableInfo> tables = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = "";
        do {
            ListTablesResponse page = server.metrics().listTables(ListTablesRequest.newBuilder().setRunId(run)
                    .setPageSize(10).setPageToken(token).build());
            tables.addAll(page.getTablesList());
            pageSizes.add(page.getTablesCount());
            token = page.getNextPageToken();
        } while (!token.isEmpty());

        assertThat(pageSizes).containsExactly(10, 10, 5);
        assertThat(tables).extracting(TableInfo::getName).isSorted().hasSize(25).doesNotHaveDuplicates();
        TableInfo t03 = tables.get(3);
        assertThat(t03.getName()).isEqualTo("t03");
        assertThat(t03.getRowCount()).isEqualTo(3);
        assertThat(t03.getColumnsList()).extracting(TableColumn::getName).containsExactly("n", "label");
        assertThat(t03.getColumnsList()).extracting(TableColumn::getType)
                .containsExactly(ColumnType.COLUMN_TYPE_NUMBER, ColumnType.COLUMN_TYPE_STRING);
        assertThat(tables.get(0).getRowCount()).isEqualTo(1);
        assertThat(server.metrics().listTables(ListTablesRequest.newBuilder().setRunId(run).build())
                .getTablesCount()).isEqualTo(25);
        assertInvalidField("page_size", () -> server.metrics().listTables(ListTablesRequest.newBuilder()
                .setRunId(run).setPageSize(1001).build()));
        String first = server.metrics().listTables(ListTablesRequest.newBuilder().setRunId(run).setPageSize(1)
                .build()).getNextPageToken();
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.metrics().listTables(
                ListTablesRequest.newBuilder().setRunId(MetricServiceIT.run(server)).setPageToken(first).build()));
    }
}
