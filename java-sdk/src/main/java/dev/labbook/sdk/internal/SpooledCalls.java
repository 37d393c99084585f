package dev.labbook.sdk.internal;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.AppendTableRowsRequest;
import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.SpooledCall;
import dev.labbook.api.v1.TableRow;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.sdk.AppendWriter;
import dev.labbook.sdk.InvalidArgumentException;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogsApi;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.SpoolReplayer;
import dev.labbook.sdk.Table;
import dev.labbook.sdk.TablesApi;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The non-metric calls of a run as data ({@code labbook.v1.SpooledCall}): what the call queue
 * sends, spools to disk during an outage, and what {@link SpoolReplayer} sends from the spool.
 * {@link #send} makes exactly one attempt (the caller decides about retries).
 */
public final class SpooledCalls {
    private SpooledCalls() {
    }

    public static SpooledCall params(String runId, Map<String, ?> params) {
        return SpooledCall.newBuilder().setLogParams(LogParamsRequest.newBuilder().setRunId(runId)
                .addAllParams(Protos.params(params))).build();
    }

    public static SpooledCall tags(String runId, Map<String, String> tags) {
        return SpooledCall.newBuilder().setSetRunTags(SetRunTagsRequest.newBuilder().setRunId(runId).putAllTags(tags))
                .build();
    }

    public static SpooledCall description(String runId, String description) {
        return SpooledCall.newBuilder().setUpdateRun(UpdateRunRequest.newBuilder().setRunId(runId)
                .setDescription(description == null ? "" : description)
                .setUpdateMask(FieldMask.newBuilder().addPaths("description"))).build();
    }

    /** COMPLETED/FAILED or CANCELED; the end time is set only when the call is spooled (see {@link #withEndTime}). */
    public static SpooledCall status(String runId, RunStatus status) {
        if (status == RunStatus.CANCELED) {
            return SpooledCall.newBuilder().setCancelRun(CancelRunRequest.newBuilder().setRunId(runId)).build();
        }
        return SpooledCall.newBuilder().setFinishRun(FinishRunRequest.newBuilder().setRunId(runId)
                .setStatus(Protos.status(status))).build();
    }

    /**
     * A status change about to be spooled carries the time the SDK set it, so that a replay does
     * not make the replay time the run's end; a live call leaves the end time to the server's clock.
     */
    public static SpooledCall withEndTime(SpooledCall call, long endTimeMs) {
        if (call.hasFinishRun() && call.getFinishRun().getEndTimeMs() == 0) {
            return call.toBuilder().setFinishRun(call.getFinishRun().toBuilder().setEndTimeMs(endTimeMs)).build();
        }
        if (call.hasCancelRun() && call.getCancelRun().getEndTimeMs() == 0) {
            return call.toBuilder().setCancelRun(call.getCancelRun().toBuilder().setEndTimeMs(endTimeMs)).build();
        }
        return call;
    }

    /** Log lines as calls of at most {@value LogsApi#LINES_PER_MESSAGE} lines, each with the writer's next sequence. */
    public static List<SpooledCall> lines(String runId, AppendWriter writer, List<LogLine> lines) {
        List<SpooledCall> out = new ArrayList<>();
        for (List<LogLine> message : LogText.messages(lines)) {
            AppendLogLinesRequest.Builder req = AppendLogLinesRequest.newBuilder().setRunId(runId)
                    .setWriterId(writer.id()).setSequence(writer.nextSequence());
            message.forEach(l -> req.addLines(Protos.line(l)));
            out.add(SpooledCall.newBuilder().setAppendLogLines(req).build());
        }
        return out;
    }

    /** Table rows as calls of at most {@value TablesApi#MAX_ROWS_PER_CALL} rows, each with the writer's next sequence. */
    public static List<SpooledCall> rows(String runId, AppendWriter writer, String table, List<? extends Map<String, ?>> rows) {
        List<SpooledCall> out = new ArrayList<>();
        int from = 0;
        do {
            List<TableRow> part = Protos.rows(rows.subList(from, Math.min(rows.size(), from + TablesApi.MAX_ROWS_PER_CALL)));
            out.add(SpooledCall.newBuilder().setAppendTableRows(AppendTableRowsRequest.newBuilder().setRunId(runId)
                    .setTable(table).addAllRows(part).setWriterId(writer.id()).setSequence(writer.nextSequence()))
                    .build());
            from += TablesApi.MAX_ROWS_PER_CALL;
        } while (from < rows.size());
        return out;
    }

    public static boolean isStatus(SpooledCall call) {
        return call.hasFinishRun() || call.hasCancelRun();
    }

    /** The run a call is about. */
    public static String runId(SpooledCall call) {
        return switch (call.getCallCase()) {
            case LOG_PARAMS -> call.getLogParams().getRunId();
            case SET_RUN_TAGS -> call.getSetRunTags().getRunId();
            case APPEND_LOG_LINES -> call.getAppendLogLines().getRunId();
            case APPEND_TABLE_ROWS -> call.getAppendTableRows().getRunId();
            case UPDATE_RUN -> call.getUpdateRun().getRunId();
            case FINISH_RUN -> call.getFinishRun().getRunId();
            case CANCEL_RUN -> call.getCancelRun().getRunId();
            case CALL_NOT_SET -> "";
        };
    }

    /** What the call does, for messages: "params", "3 log lines", "rows of table t", "status COMPLETED"... */
    public static String describe(SpooledCall call) {
        return switch (call.getCallCase()) {
            case LOG_PARAMS -> "params";
            case SET_RUN_TAGS -> "tags";
            case APPEND_LOG_LINES -> call.getAppendLogLines().getLinesCount() + " log lines";
            case APPEND_TABLE_ROWS -> call.getAppendTableRows().getRowsCount() + " rows of table "
                    + call.getAppendTableRows().getTable();
            case UPDATE_RUN -> "description";
            case FINISH_RUN -> "status " + Protos.status(call.getFinishRun().getStatus());
            case CANCEL_RUN -> "status CANCELED";
            case CALL_NOT_SET -> "an empty call";
        };
    }

    /** "writer id/sequence" of an append of log lines or table rows; null for any other call. */
    public static String appendKey(SpooledCall call) {
        if (call.hasAppendLogLines()) {
            return call.getAppendLogLines().getWriterId() + "/" + call.getAppendLogLines().getSequence();
        }
        if (call.hasAppendTableRows()) {
            return call.getAppendTableRows().getWriterId() + "/" + call.getAppendTableRows().getSequence();
        }
        return null;
    }

    /**
     * Whether the server has already committed this append (its answer was lost): one
     * {@code GetWriterState} attempt; false when it cannot tell (resending is safe anyway, the
     * server skips a sequence it has).
     */
    public static boolean committed(LabbookClient client, SpooledCall call) {
        String runId;
        String writerId;
        long sequence;
        if (call.hasAppendLogLines()) {
            runId = call.getAppendLogLines().getRunId();
            writerId = call.getAppendLogLines().getWriterId();
            sequence = call.getAppendLogLines().getSequence();
        } else if (call.hasAppendTableRows()) {
            runId = call.getAppendTableRows().getRunId();
            writerId = call.getAppendTableRows().getWriterId();
            sequence = call.getAppendTableRows().getSequence();
        } else {
            return false;
        }
        if (writerId.isEmpty()) {
            return false;
        }
        try {
            return MetricServiceGrpc.newBlockingStub(client.channel())
                    .withDeadlineAfter(client.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .getWriterState(GetWriterStateRequest.newBuilder().setRunId(runId).setWriterId(writerId).build())
                    .getLastSequence() >= sequence;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code GetWriterState} in one attempt, for background senders during an outage: the retry
     * window of {@link dev.labbook.sdk.MetricsApi#writerState} (30 s) would hold back their own
     * backoff and spool window.
     */
    public static long writerState(LabbookClient client, String runId, String writerId) {
        try {
            return MetricServiceGrpc.newBlockingStub(client.channel())
                    .withDeadlineAfter(client.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .getWriterState(GetWriterStateRequest.newBuilder().setRunId(runId).setWriterId(writerId).build())
                    .getLastSequence();
        } catch (RuntimeException e) {
            throw Errors.rethrow(e);
        }
    }

    /** One attempt; a refusal or failure leaves as a {@link LabbookException}. */
    public static void send(LabbookClient client, SpooledCall call) {
        Channel channel = client.channel();
        long timeout = client.options().callTimeout().toMillis();
        try {
            switch (call.getCallCase()) {
                case LOG_PARAMS -> runs(channel, timeout).logParams(call.getLogParams());
                case SET_RUN_TAGS -> runs(channel, timeout).setRunTags(call.getSetRunTags());
                case UPDATE_RUN -> runs(channel, timeout).updateRun(call.getUpdateRun());
                case FINISH_RUN -> runs(channel, timeout).finishRun(call.getFinishRun());
                case CANCEL_RUN -> runs(channel, timeout).cancelRun(call.getCancelRun());
                case APPEND_LOG_LINES -> LogServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(timeout, TimeUnit.MILLISECONDS).appendLogLines(call.getAppendLogLines());
                case APPEND_TABLE_ROWS -> MetricServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(timeout, TimeUnit.MILLISECONDS).appendTableRows(call.getAppendTableRows());
                case CALL_NOT_SET -> throw new InvalidArgumentException("call", "the spooled call is empty", null);
            }
        } catch (RuntimeException e) {
            throw Errors.rethrow(e);
        }
    }

    private static RunServiceGrpc.RunServiceBlockingStub runs(Channel channel, long timeout) {
        return RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout, TimeUnit.MILLISECONDS);
    }
}
