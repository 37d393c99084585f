package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.AppendTableRowsResponse;
import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.BatchGetMetricHistoryResponse;
import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.BatchLogMetricsResponse;
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
import dev.labbook.api.v1.TableInfo;
import dev.labbook.api.v1.TableRow;
import dev.labbook.server.domain.AppendSequence;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.metric.Cell;
import dev.labbook.server.domain.metric.ColumnType;
import dev.labbook.server.domain.metric.DecodedChunk;
import dev.labbook.server.domain.metric.HistoryPage;
import dev.labbook.server.domain.metric.IngestResult;
import dev.labbook.server.domain.metric.MetricBatchInput;
import dev.labbook.server.domain.metric.MetricSeries;
import dev.labbook.server.domain.metric.MetricService;
import dev.labbook.server.domain.metric.MetricSummary;
import dev.labbook.server.domain.metric.SeriesRead;
import dev.labbook.server.domain.metric.TableAppend;
import dev.labbook.server.domain.metric.TablePage;
import dev.labbook.server.domain.metric.TableService;
import dev.labbook.server.domain.metric.TableState;
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
     * blocks, so gRPC flow control holds the client back). All batches must be for the first
     * batch's run. A bad batch ends the stream with its status; batches committed before it stay.
     */
    @Override
    public StreamObserver<LogMetricsRequest> logMetrics(StreamObserver<LogMetricsResponse> response) {
        return new StreamObserver<>() {
            private final LogMetricsResponse.Builder totals = LogMetricsResponse.newBuilder();
            private boolean failed;
            private int index;
            private UUID runId;

            @Override
            public void onNext(LogMetricsRequest request) {
                if (failed) {
                    return;
                }
                try {
                    MetricBatchInput input = toInput(request.getBatch());
                    if (runId == null) {
                        runId = input.runId();
                    } else if (!runId.equals(input.runId())) {
                        throw new InvalidArgumentException("batch.run_id", "is " + input.runId()
                                + " but the stream's first batch was for run " + runId
                                + "; one LogMetrics stream writes one run");
                    }
                    IngestResult result = metrics.ingest(input);
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
    public void batchLogMetrics(BatchLogMetricsRequest request, StreamObserver<BatchLogMetricsResponse> response) {
        if (!request.hasBatch()) {
            throw new InvalidArgumentException("batch", "is required");
        }
        IngestResult result = metrics.ingest(toInput(request.getBatch()));
        reply(response, BatchLogMetricsResponse.newBuilder()
                .setAcceptedPoints(result.duplicate() ? 0 : result.points())
                .setDuplicate(result.duplicate())
                .build());
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
                request.hasStartStep() ? request.getStartStep() : null,
                request.hasEndStep() ? request.getEndStep() : null,
                request.getMaxPoints(), request.getPageSize(), request.getPageToken());
        FlowControlledSender.start((ServerCallStreamObserver<GetMetricHistoryResponse>) response, new PageSource(read));
    }

    @Override
    public void batchGetMetricHistory(BatchGetMetricHistoryRequest request,
            StreamObserver<BatchGetMetricHistoryResponse> response) {
        List<UUID> runIds = new ArrayList<>(request.getRunIdsCount());
        for (int i = 0; i < request.getRunIdsCount(); i++) {
            runIds.add(ProtoIds.required("run_ids[" + i + "]", request.getRunIds(i)));
        }
        List<MetricSeries> series = metrics.batchHistory(runIds, request.getKeysList(), request.getMaxPoints(),
                request.hasStartStep() ? request.getStartStep() : null,
                request.hasEndStep() ? request.getEndStep() : null);
        BatchGetMetricHistoryResponse.Builder builder = BatchGetMetricHistoryResponse.newBuilder();
        for (MetricSeries s : series) {
            DecodedChunk points = s.points();
            dev.labbook.api.v1.MetricSeries.Builder message = builder.addSeriesBuilder()
                    .setRunId(s.runId().toString())
                    .setKey(s.key())
                    .setDownsampled(s.downsampled());
            for (int i = 0; i < points.size(); i++) {
                message.addStep(points.steps()[i]);
                message.addTimestampMs(points.timestampsMs()[i]);
                message.addValue(points.values()[i]);
            }
        }
        reply(response, builder.build());
    }

    /** A series read's pages, one message each; a read without points is one empty message. */
    private static final class PageSource implements FlowControlledSender.Source<GetMetricHistoryResponse> {
        private final SeriesRead read;
        private final java.util.Iterator<HistoryPage> pages;
        private boolean sent;

        PageSource(SeriesRead read) {
            this.read = read;
            this.pages = read.pages();
        }

        @Override
        public GetMetricHistoryResponse next() {
            if (pages.hasNext()) {
                sent = true;
                return toMessage(pages.next());
            }
            if (!sent) {
                sent = true;
                return GetMetricHistoryResponse.newBuilder().setDownsampled(read.downsampled()).build();
            }
            return null;
        }

        private GetMetricHistoryResponse toMessage(HistoryPage historyPage) {
            DecodedChunk page = historyPage.points();
            GetMetricHistoryResponse.Builder message = GetMetricHistoryResponse.newBuilder()
                    .setDownsampled(read.downsampled())
                    .setNextPageToken(historyPage.nextPageToken());
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
        Page<MetricSummary> page = metrics.list(ProtoIds.required("run_id", request.getRunId()),
                request.getKeyPrefix(), request.getPageSize(), request.getPageToken());
        ListMetricsResponse.Builder builder = ListMetricsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        for (MetricSummary s : page.items()) {
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
        UUID runId = ProtoIds.required("run_id", request.getRunId());
        AppendSequence sequence = AppendSequence.of("writer_id", request.getWriterId(), "sequence",
                request.getSequence());
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
        TableAppend appended = tables.append(runId, request.getTable(), rows, sequence);
        reply(response, AppendTableRowsResponse.newBuilder().setRowCount(appended.rowCount())
                .setDuplicate(appended.duplicate()).build());
    }

    @Override
    public void getTable(GetTableRequest request, StreamObserver<GetTableResponse> response) {
        TablePage page = tables.read(ProtoIds.required("run_id", request.getRunId()), request.getTable(),
                request.getPageSize(), request.getPageToken());
        GetTableResponse.Builder builder = GetTableResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.columns().forEach(c -> builder.addColumns(toProto(c)));
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
        Page<TableState> page = tables.list(ProtoIds.required("run_id", request.getRunId()), request.getPageSize(),
                request.getPageToken());
        ListTablesResponse.Builder builder = ListTablesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        for (TableState table : page.items()) {
            TableInfo.Builder info = builder.addTablesBuilder().setName(table.name()).setRowCount(table.rowCount());
            table.columns().forEach(c -> info.addColumns(toProto(c)));
        }
        reply(response, builder.build());
    }

    private static TableColumn toProto(dev.labbook.server.domain.metric.TableColumn column) {
        return TableColumn.newBuilder().setName(column.name())
                .setType(column.type() == ColumnType.NUMBER
                        ? dev.labbook.api.v1.ColumnType.COLUMN_TYPE_NUMBER
                        : dev.labbook.api.v1.ColumnType.COLUMN_TYPE_STRING)
                .build();
    }
}
