package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.AppendLogLinesResponse;
import dev.labbook.api.v1.AppendLogsRequest;
import dev.labbook.api.v1.AppendLogsResponse;
import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.AppendTableRowsResponse;
import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.BatchLogMetricsResponse;
import dev.labbook.api.v1.GetTableRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.LogLine;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.TableCell;
import dev.labbook.api.v1.TableRow;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.TestServer;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One de-duplication scheme for every append (writer id + sequence, one last sequence per run
 * and writer shared by all kinds), over the unary and the streaming RPCs, and the
 * one-run-per-stream rule.
 */
@ExtendWith(LabbookServerExtension.class)
class AppendDeduplicationIT {

    private static MetricBatch points(String run, String writer, long sequence, long firstStep, int n) {
        long[] steps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = firstStep + i;
            values[i] = firstStep + i;
        }
        return MetricServiceIT.batch(run, writer, sequence, "loss", steps, values);
    }

    private static BatchLogMetricsResponse logMetrics(TestServer server, MetricBatch batch) {
        return server.metrics().batchLogMetrics(BatchLogMetricsRequest.newBuilder().setBatch(batch).build());
    }

    private static AppendLogLinesResponse appendLines(TestServer server, String run, String writer, long sequence,
            String... texts) {
        AppendLogLinesRequest.Builder request = AppendLogLinesRequest.newBuilder().setRunId(run).setWriterId(writer)
                .setSequence(sequence);
        for (String text : texts) {
            request.addLines(LogLine.newBuilder().setText(text));
        }
        return server.logs().appendLogLines(request.build());
    }

    private static AppendTableRowsResponse appendRow(TestServer server, String run, String writer, long sequence,
            double epoch) {
        return server.metrics().appendTableRows(AppendTableRowsRequest.newBuilder().setRunId(run).setTable("epochs")
                .setWriterId(writer).setSequence(sequence)
                .addRows(TableRow.newBuilder().putCells("epoch", TableCell.newBuilder().setNumberValue(epoch).build()))
                .build());
    }

    private static List<String> logTexts(TestServer server, String run) {
        List<String> texts = new ArrayList<>();
        server.logs().readLogs(ReadLogsRequest.newBuilder().setRunId(run).build())
                .forEachRemaining(m -> m.getLinesList().forEach(l -> texts.add(l.getText())));
        return texts;
    }

    private static long lastSequence(TestServer server, String run, String writer) {
        return server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run).setWriterId(writer)
                .build()).getLastSequence();
    }

    @Test
    void aRetriedUnaryMetricBatchIsStoredOnce(TestServer server) {
        String run = MetricServiceIT.run(server);

        BatchLogMetricsResponse first = logMetrics(server, points(run, "metrics-w", 1, 0, 3));
        BatchLogMetricsResponse retry = logMetrics(server, points(run, "metrics-w", 1, 0, 3));
        BatchLogMetricsResponse older = logMetrics(server, points(run, "metrics-w", 2, 3, 2));
        BatchLogMetricsResponse stale = logMetrics(server, points(run, "metrics-w", 1, 0, 3));

        assertThat(first.getDuplicate()).isFalse();
        assertThat(first.getAcceptedPoints()).isEqualTo(3);
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(retry.getAcceptedPoints()).isZero();
        assertThat(older.getAcceptedPoints()).isEqualTo(2);
        assertThat(stale.getDuplicate()).isTrue();
        assertThat(MetricStreams.history(server.channel(), MetricServiceIT.history(run, "loss")).steps())
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(lastSequence(server, run, "metrics-w")).isEqualTo(2);
    }

    @Test
    void retriedLogLinesAreStoredOnceOnTheUnaryAndTheStreamingCall(TestServer server) {
        String run = MetricServiceIT.run(server);

        AppendLogLinesResponse first = appendLines(server, run, "logs-w", 1, "a", "b");
        AppendLogLinesResponse retry = appendLines(server, run, "logs-w", 1, "a", "b");
        assertThat(first.getDuplicate()).isFalse();
        assertThat(first.getAcceptedLines()).isEqualTo(2);
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(retry.getAcceptedLines()).isZero();

        // A stream resent after a break: its first message was committed (sequence 1), the rest not.
        FirstResponse<AppendLogsResponse> result = new FirstResponse<>();
        StreamObserver<AppendLogsRequest> stream = LogServiceGrpc.newStub(server.channel()).appendLogs(result);
        stream.onNext(AppendLogsRequest.newBuilder().setRunId(run).setWriterId("logs-w").setSequence(1)
                .addLines(LogLine.newBuilder().setText("a")).addLines(LogLine.newBuilder().setText("b")).build());
        stream.onNext(AppendLogsRequest.newBuilder().setWriterId("logs-w").setSequence(2)
                .addLines(LogLine.newBuilder().setText("c")).build());
        stream.onNext(AppendLogsRequest.newBuilder().setRunId(run).setWriterId("logs-w").setSequence(2)
                .addLines(LogLine.newBuilder().setText("c")).build());
        stream.onCompleted();
        AppendLogsResponse response = result.await(30);

        assertThat(response.getAcceptedLines()).isEqualTo(1);
        assertThat(response.getSkippedDuplicateLines()).isEqualTo(3);
        assertThat(logTexts(server, run)).containsExactly("a", "b", "c");
        assertThat(lastSequence(server, run, "logs-w")).isEqualTo(2);
    }

    @Test
    void aRetriedTableAppendIsStoredOnceAndReportsTheRowCount(TestServer server) {
        String run = MetricServiceIT.run(server);

        AppendTableRowsResponse first = appendRow(server, run, "rows-w", 1, 1);
        AppendTableRowsResponse second = appendRow(server, run, "rows-w", 2, 2);
        AppendTableRowsResponse retry = appendRow(server, run, "rows-w", 2, 2);

        assertThat(first.getRowCount()).isEqualTo(1);
        assertThat(second.getRowCount()).isEqualTo(2);
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(retry.getRowCount()).isEqualTo(2);
        assertThat(server.metrics().getTable(GetTableRequest.newBuilder().setRunId(run).setTable("epochs").build())
                .getRowsList()).extracting(r -> r.getCellsMap().get("epoch").getNumberValue())
                .containsExactly(1.0, 2.0);
        assertThat(lastSequence(server, run, "rows-w")).isEqualTo(2);
    }

    @Test
    void withoutAWriterEveryAppendIsStored(TestServer server) {
        String run = MetricServiceIT.run(server);

        for (int i = 0; i < 2; i++) {
            assertThat(logMetrics(server, points(run, "", 0, 0, 2)).getDuplicate()).isFalse();
            assertThat(appendLines(server, run, "", 0, "same").getDuplicate()).isFalse();
            assertThat(appendRow(server, run, "", 0, 7).getDuplicate()).isFalse();
        }

        assertThat(MetricStreams.history(server.channel(), MetricServiceIT.history(run, "loss")).steps())
                .containsExactly(0L, 0L, 1L, 1L);
        assertThat(logTexts(server, run)).containsExactly("same", "same");
        assertThat(server.metrics().getTable(GetTableRequest.newBuilder().setRunId(run).setTable("epochs").build())
                .getRowsCount()).isEqualTo(2);
    }

    @Test
    void oneWriterIdHasOneLastSequenceForEveryKind(TestServer server) {
        String run = MetricServiceIT.run(server);

        logMetrics(server, points(run, "shared", 5, 0, 1));

        // Separate writer ids per kind are the rule; one id used for two kinds shares its sequence.
        assertThat(appendLines(server, run, "shared", 3, "late").getDuplicate()).isTrue();
        assertThat(appendRow(server, run, "shared", 6, 1).getDuplicate()).isFalse();
        assertThat(lastSequence(server, run, "shared")).isEqualTo(6);
        assertThat(logTexts(server, run)).isEmpty();
    }

    @Test
    void writerIdsAndSequencesMustMatch(TestServer server) {
        String run = MetricServiceIT.run(server);

        assertInvalidField("batch.sequence", () -> logMetrics(server, points(run, "w", 0, 0, 1)));
        assertInvalidField("batch.sequence", () -> logMetrics(server, points(run, "", 4, 0, 1)));
        assertInvalidField("batch.writer_id", () -> logMetrics(server, points(run, "w".repeat(65), 1, 0, 1)));
        assertInvalidField("batch", () -> server.metrics().batchLogMetrics(BatchLogMetricsRequest.getDefaultInstance()));
        assertInvalidField("sequence", () -> appendLines(server, run, "w", -1, "x"));
        assertInvalidField("sequence", () -> appendLines(server, run, "", 2, "x"));
        assertInvalidField("writer_id", () -> appendLines(server, run, "no spaces", 1, "x"));
        assertInvalidField("sequence", () -> appendRow(server, run, "w", 0, 1));
        assertInvalidField("sequence", () -> appendRow(server, run, "", 1, 1));
        assertInvalidField("writer_id", () -> server.metrics().getWriterState(GetWriterStateRequest.newBuilder()
                .setRunId(run).build()));
        assertThat(logTexts(server, run)).isEmpty();
    }

    @Test
    void aMetricStreamWritesOneRun(TestServer server) {
        String run = MetricServiceIT.run(server);
        String other = MetricServiceIT.run(server);

        assertInvalidField("batch.run_id", () -> MetricStreams.send(server.channel(), List.of(
                points(run, "w", 1, 0, 2), points(other, "w", 2, 2, 2))));

        assertThat(MetricStreams.history(server.channel(), MetricServiceIT.history(run, "loss")).size()).isEqualTo(2);
        assertThat(lastSequence(server, other, "w")).isZero();
    }

    @Test
    void aLogStreamWritesOneRun(TestServer server) {
        String run = MetricServiceIT.run(server);
        String other = MetricServiceIT.run(server);
        FirstResponse<AppendLogsResponse> result = new FirstResponse<>();
        StreamObserver<AppendLogsRequest> stream = LogServiceGrpc.newStub(server.channel()).appendLogs(result);
        stream.onNext(AppendLogsRequest.newBuilder().setRunId(run).addLines(LogLine.newBuilder().setText("mine"))
                .build());
        stream.onNext(AppendLogsRequest.newBuilder().setRunId(other).addLines(LogLine.newBuilder().setText("theirs"))
                .build());
        stream.onCompleted();

        assertInvalidField("run_id", () -> result.await(30));

        assertThat(logTexts(server, run)).containsExactly("mine");
        assertThat(logTexts(server, other)).isEmpty();
    }
}
