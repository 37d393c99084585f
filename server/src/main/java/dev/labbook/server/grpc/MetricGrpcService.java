package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.AppendTableRowsResponse;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.GetTableRequest;
import dev.labbook.api.v1.GetTableResponse;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.GetWriterStateResponse;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListMetricsResponse;
import dev.labbook.api.v1.ListTablesRequest;
import dev.labbook.api.v1.ListTablesResponse;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.TableCell;
import dev.labbook.api.v1.TableColumn;
import dev.labbook.api.v1.TableRow;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.metric.Cell;
import dev.labbook.server.domain.metric.ColumnType;
import dev.labbook.server.domain.metric.DecodedChunk;
import dev.labbook.server.domain.metric.IngestResult;
import dev.labbook.server.domain.metric.MetricBatchInput;
import dev.labbook.server.domain.metric.MetricService;
import dev.labbook.server.domain.metric.MetricSummary;
import dev.labbook.server.domain.metric.SeriesRead;
import dev.labbook.server.domain.metric.TablePage;
import dev.labbook.server.domain.metric.TableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** MetricService RPCs: maps messages to {@link MetricService} and {@link TableService} calls. */
public final class MetricGrpcService extends MetricServiceGrpc.MetricServiceImplBase {
    private final MetricService metrics;
    private final TableService tables;

    public MetricGrpcService(MetricService metrics, TableService tables) {
        this.metrics = metrics;
        this.tables = tables;
    }

    /**
     * Each batch is committed in its own transaction while the stream is open (the handler
     * blocks, so gRPC flow control holds the client back). A bad batch ends the stream with its
     * status; batches committed before it stay.
     */
    @Override
    public StreamObserver<LogMetricsRequest> logMetrics(StreamObserver<LogMetricsResponse> response) {
        return new StreamObserver<>() {
            private final LogMetricsResponse.Builder totals = LogMetricsResponse.newBuilder();
            private boolean failed;
            private int index;

            @Override
            public void onNext(LogMetricsRequest request) {
                if (failed) {
                    return;
                }
                try {
                    IngestResult result = metrics.ingest(toInput(request.getBatch()));
                    if (result.duplicate()) {
                        totals.setSkippedDuplicateBatches(totals.getSkippedDuplicateBatches() + 1)
                                .setSkippedDuplicatePoints(totals.getSkippedDuplicatePoints() + result.points());
                    } else {
                        totals.setAcceptedBatches(totals.getAcceptedBatches() + 1)
                                .setAcceptedPoints(totals.getAcceptedPoints() + result.points());
                    }
                    index++;
                } catch (RuntimeException e) {
                    failed = true;
                    response.onError(StatusMapper.toStatusException(withBatchContext(e, index, totals)));
                }
            }

            @Override
            public void onError(Throwable t) {
                // The client went away; every batch committed so far stays committed.
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    reply(response, totals.build());
                }
            }
        };
    }

    /** Prefixes the message with the batch's position so a client knows which one failed. */
    private static RuntimeException withBatchContext(RuntimeException e, int index, LogMetricsResponse.Builder totals) {
        if (e instanceof InvalidArgumentException invalid) {
            return new InvalidArgumentException(invalid.field(), invalid.description() + " (message " + index
                    + " of the stream; " + totals.getAcceptedBatches() + " earlier batches were committed)");
        }
        return e;
    }

    private static MetricBatchInput toInput(MetricBatch batch) {
        UUID runId = ProtoIds.required("batch.run_id", batch.getRunId());
        int n = batch.getKeyIndexCount();
        int[] keyIndex = new int[n];
        for (int i = 0; i < n; i++) {
            keyIndex[i] = batch.getKeyIndex(i);
        }
        long[] steps = new long[batch.getStepCount()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = batch.getStep(i);
        }
        long[] timestamps = new long[batch.getTimestampMsCount()];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = batch.getTimestampMs(i);
        }
        double[] values = new double[batch.getValueCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = batch.getValue(i);
        }
        return new MetricBatchInput(runId, batch.getWriterId(), batch.getSequence(), batch.getKeysList(), keyIndex,
                steps, timestamps, values);
    }

    @Override
    public void getWriterState(GetWriterStateRequest request, StreamObserver<GetWriterStateResponse> response) {
        long last = metrics.writerSequence(ProtoIds.required("run_id", request.getRunId()), request.getWriterId());
        reply(response, GetWriterStateResponse.newBuilder().setLastSequence(last).build());
    }

    @Override
    public void getMetricHistory(GetMetricHistoryRequest request,
            StreamObserver<GetMetricHistoryResponse> response) {
        SeriesRead read = metrics.history(ProtoIds.required("run_id", request.getRunId()), request.getKey(),
                request.hasStartStep() ? request.getStartStep() : Long.MIN_VALUE,
                request.hasEndStep() ? request.getEndStep() : Long.MAX_VALUE,
                request.getMaxPoints());
        new PageSender(read, (ServerCallStreamObserver<GetMetricHistoryResponse>) response).start();
    }

    /**
     * Sends pages only while the transport is ready (gRPC flow control), continuing from the
     * call's on-ready callback, so a slow reader of a long series is not buffered in memory.
     */
    private static final class PageSender implements Runnable {
        private final SeriesRead read;
        private final ServerCallStreamObserver<GetMetricHistoryResponse> call;
        private final java.util.Iterator<DecodedChunk> pages;
        private boolean sent;
        private boolean done;

        PageSender(SeriesRead read, ServerCallStreamObserver<GetMetricHistoryResponse> call) {
            this.read = read;
            this.call = call;
            this.pages = read.pages().iterator();
        }

        void start() {
            call.setOnCancelHandler(() -> { });
            call.setOnReadyHandler(this);
            run();
        }

        @Override
        public synchronized void run() {
            if (done) {
                return;
            }
            try {
                while (call.isReady() && pages.hasNext()) {
                    call.onNext(toMessage(pages.next()));
                    sent = true;
                }
                if (!pages.hasNext()) {
                    done = true;
                    if (!sent) {
                        call.onNext(GetMetricHistoryResponse.newBuilder().setDownsampled(read.downsampled()).build());
                    }
                    call.onCompleted();
                }
            } catch (RuntimeException e) {
                done = true;
                call.onError(StatusMapper.toStatusException(e));
            }
        }

        private GetMetricHistoryResponse toMessage(DecodedChunk page) {
            GetMetricHistoryResponse.Builder message = GetMetricHistoryResponse.newBuilder()
                    .setDownsampled(read.downsampled());
            for (int i = 0; i < page.size(); i++) {
                message.addStep(page.steps()[i]);
                message.addTimestampMs(page.timestampsMs()[i]);
                message.addValue(page.values()[i]);
            }
            return message.build();
        }
    }

    @Override
    public void listMetrics(ListMetricsRequest request, StreamObserver<ListMetricsResponse> response) {
        List<MetricSummary> summaries = metrics.list(ProtoIds.required("run_id", request.getRunId()));
        ListMetricsResponse.Builder builder = ListMetricsResponse.newBuilder();
        for (MetricSummary s : summaries) {
            builder.addMetrics(dev.labbook.api.v1.MetricSummary.newBuilder()
                    .setKey(s.key())
                    .setLastValue(s.lastValue())
                    .setLastStep(s.lastStep())
                    .setLastTimestampMs(s.lastTimestampMs())
                    .setMin(s.min())
                    .setMax(s.max())
                    .setCount(s.count()));
        }
        reply(response, builder.build());
    }

    @Override
    public void appendTableRows(AppendTableRowsRequest request, StreamObserver<AppendTableRowsResponse> response) {
        List<Map<String, Cell>> rows = new ArrayList<>(request.getRowsCount());
        for (TableRow row : request.getRowsList()) {
            Map<String, Cell> cells = new HashMap<>();
            row.getCellsMap().forEach((name, cell) -> cells.put(name, switch (cell.getKindCase()) {
                case NUMBER_VALUE -> Cell.number(cell.getNumberValue());
                case STRING_VALUE -> Cell.string(cell.getStringValue());
                case KIND_NOT_SET -> null;
            }));
            rows.add(cells);
        }
        long count = tables.append(ProtoIds.required("run_id", request.getRunId()), request.getTable(), rows);
        reply(response, AppendTableRowsResponse.newBuilder().setRowCount(count).build());
    }

    @Override
    public void getTable(GetTableRequest request, StreamObserver<GetTableResponse> response) {
        TablePage page = tables.read(ProtoIds.required("run_id", request.getRunId()), request.getTable(),
                request.getPageSize(), request.getPageToken());
        GetTableResponse.Builder builder = GetTableResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.columns().forEach(c -> builder.addColumns(TableColumn.newBuilder().setName(c.name())
                .setType(c.type() == ColumnType.NUMBER
                        ? dev.labbook.api.v1.ColumnType.COLUMN_TYPE_NUMBER
                        : dev.labbook.api.v1.ColumnType.COLUMN_TYPE_STRING)));
        for (Map<String, Cell> row : page.rows()) {
            TableRow.Builder protoRow = TableRow.newBuilder();
            row.forEach((name, cell) -> protoRow.putCells(name, cell.type() == ColumnType.NUMBER
                    ? TableCell.newBuilder().setNumberValue(cell.number()).build()
                    : TableCell.newBuilder().setStringValue(cell.string()).build()));
            builder.addRows(protoRow);
        }
        reply(response, builder.build());
    }

    @Override
    public void listTables(ListTablesRequest request, StreamObserver<ListTablesResponse> response) {
        List<String> names = tables.list(ProtoIds.required("run_id", request.getRunId()));
        ListTablesResponse.Builder builder = ListTablesResponse.newBuilder();
        names.forEach(name -> builder.addTables(dev.labbook.api.v1.TableInfo.newBuilder().setName(name)));
        reply(response, builder.build());
    }
}
