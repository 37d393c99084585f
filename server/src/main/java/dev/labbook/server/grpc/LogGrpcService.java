package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.AppendLogLinesResponse;
import dev.labbook.api.v1.AppendLogsRequest;
import dev.labbook.api.v1.AppendLogsResponse;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.server.domain.AppendSequence;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.log.AppendedLines;
import dev.labbook.server.domain.log.LogLevel;
import dev.labbook.server.domain.log.LogLine;
import dev.labbook.server.domain.log.LogQuery;
import dev.labbook.server.domain.log.LogService;
import dev.labbook.server.domain.log.LogSink;
import dev.labbook.server.domain.log.LogStream;
import dev.labbook.server.domain.log.LogSubscription;
import dev.labbook.server.domain.log.NewLogLine;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** LogService RPCs: maps messages to {@link LogService} calls. */
public final class LogGrpcService extends LogServiceGrpc.LogServiceImplBase {
    private final LogService logs;

    public LogGrpcService(LogService logs) {
        this.logs = logs;
    }

    /**
     * Each message's lines are committed in their own transaction as the message arrives (the
     * handler blocks, so gRPC flow control holds the client back), de-duplicated by the
     * message's writer id and sequence when given. The first message names the run; later ones
     * may repeat it or leave it empty. A bad message ends the stream with its status; lines
     * committed before it stay.
     */
    @Override
    public StreamObserver<AppendLogsRequest> appendLogs(StreamObserver<AppendLogsResponse> response) {
        return new StreamObserver<>() {
            private UUID runId;
            private long accepted;
            private long skipped;
            private int index;
            private boolean failed;

            @Override
            public void onNext(AppendLogsRequest request) {
                if (failed) {
                    return;
                }
                try {
                    if (runId == null) {
                        runId = ProtoIds.required("run_id", request.getRunId());
                    } else if (!request.getRunId().isEmpty()
                            && !runId.equals(ProtoIds.required("run_id", request.getRunId()))) {
                        throw new InvalidArgumentException("run_id", "is " + request.getRunId()
                                + " but the stream's first message named run " + runId
                                + "; one AppendLogs stream writes one run");
                    }
                    AppendSequence sequence = AppendSequence.of("writer_id", request.getWriterId(), "sequence",
                            request.getSequence());
                    AppendedLines appended = logs.append(runId, toLines(request.getLinesList()), sequence);
                    if (appended.duplicate()) {
                        skipped += request.getLinesCount();
                    } else {
                        accepted += appended.count();
                    }
                    index++;
                } catch (RuntimeException e) {
                    failed = true;
                    response.onError(StatusMapper.toStatusException(withMessageContext(e)));
                }
            }

            private RuntimeException withMessageContext(RuntimeException e) {
                if (e instanceof InvalidArgumentException invalid) {
                    return new InvalidArgumentException(invalid.field(), invalid.description() + " (message " + index
                            + " of the stream; " + accepted + " lines of earlier messages were committed)");
                }
                return e;
            }

            @Override
            public void onError(Throwable t) {
                // The client went away; every message committed so far stays committed.
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (runId == null) {
                    response.onError(StatusMapper.toStatusException(
                            new InvalidArgumentException("run_id", "is required (the stream had no message)")));
                    return;
                }
                reply(response, AppendLogsResponse.newBuilder().setAcceptedLines(accepted)
                        .setSkippedDuplicateLines(skipped).build());
            }
        };
    }

    @Override
    public void appendLogLines(AppendLogLinesRequest request, StreamObserver<AppendLogLinesResponse> response) {
        UUID runId = ProtoIds.required("run_id", request.getRunId());
        AppendSequence sequence = AppendSequence.of("writer_id", request.getWriterId(), "sequence",
                request.getSequence());
        AppendedLines appended = logs.append(runId, toLines(request.getLinesList()), sequence);
        reply(response, AppendLogLinesResponse.newBuilder().setAcceptedLines(appended.count())
                .setDuplicate(appended.duplicate()).build());
    }

    private static List<NewLogLine> toLines(List<dev.labbook.api.v1.LogLine> protoLines) {
        List<NewLogLine> lines = new ArrayList<>(protoLines.size());
        for (int i = 0; i < protoLines.size(); i++) {
            dev.labbook.api.v1.LogLine line = protoLines.get(i);
            lines.add(new NewLogLine(line.getTimestampMs(), level("lines[" + i + "].level", line.getLevel()),
                    stream("lines[" + i + "].stream", line.getStream()), line.getText()));
        }
        return lines;
    }

    /** Null for UNSPECIFIED (the domain's default applies). */
    private static LogLevel level(String field, dev.labbook.api.v1.LogLevel level) {
        return switch (level) {
            case LOG_LEVEL_UNSPECIFIED -> null;
            case LOG_LEVEL_DEBUG -> LogLevel.DEBUG;
            case LOG_LEVEL_INFO -> LogLevel.INFO;
            case LOG_LEVEL_WARNING -> LogLevel.WARNING;
            case LOG_LEVEL_ERROR -> LogLevel.ERROR;
            case UNRECOGNIZED -> throw new InvalidArgumentException(field, "is not a known LogLevel");
        };
    }

    private static LogStream stream(String field, dev.labbook.api.v1.LogStream stream) {
        return switch (stream) {
            case LOG_STREAM_UNSPECIFIED -> null;
            case LOG_STREAM_STDOUT -> LogStream.STDOUT;
            case LOG_STREAM_STDERR -> LogStream.STDERR;
            case LOG_STREAM_USER -> LogStream.USER;
            case UNRECOGNIZED -> throw new InvalidArgumentException(field, "is not a known LogStream");
        };
    }

    private static dev.labbook.api.v1.LogLevel toProto(LogLevel level) {
        return switch (level) {
            case DEBUG -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_DEBUG;
            case INFO -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_INFO;
            case WARNING -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_WARNING;
            case ERROR -> dev.labbook.api.v1.LogLevel.LOG_LEVEL_ERROR;
        };
    }

    private static dev.labbook.api.v1.LogStream toProto(LogStream stream) {
        return switch (stream) {
            case STDOUT -> dev.labbook.api.v1.LogStream.LOG_STREAM_STDOUT;
            case STDERR -> dev.labbook.api.v1.LogStream.LOG_STREAM_STDERR;
            case USER -> dev.labbook.api.v1.LogStream.LOG_STREAM_USER;
        };
    }

    /**
     * Streams pages (one message each, at most 1,000 lines and about 1 MiB) while the transport
     * is ready; with {@code follow}, stays open until the run ends or the client cancels. The
     * work runs on the log service's scheduler, not on gRPC threads.
     */
    @Override
    public void readLogs(ReadLogsRequest request, StreamObserver<ReadLogsResponse> response) {
        ServerCallStreamObserver<ReadLogsResponse> call = (ServerCallStreamObserver<ReadLogsResponse>) response;
        LogQuery query = new LogQuery(ProtoIds.required("run_id", request.getRunId()), request.getStartOffset(),
                request.getLimit(), level("min_level", request.getMinLevel()), request.getFollow());
        LogSubscription subscription = logs.open(query, new CallSink(call));
        call.setOnCancelHandler(subscription::cancel);
        call.setOnReadyHandler(subscription::wake);
        subscription.start();
    }

    private static final class CallSink implements LogSink {
        private final ServerCallStreamObserver<ReadLogsResponse> call;

        CallSink(ServerCallStreamObserver<ReadLogsResponse> call) {
            this.call = call;
        }

        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public void send(List<LogLine> lines) {
            ReadLogsResponse.Builder message = ReadLogsResponse.newBuilder();
            for (LogLine line : lines) {
                message.addLines(dev.labbook.api.v1.LogLine.newBuilder()
                        .setOffset(line.offset())
                        .setTimestampMs(line.timestampMs())
                        .setLevel(toProto(line.level()))
                        .setStream(toProto(line.stream()))
                        .setText(line.text()));
            }
            call.onNext(message.build());
        }

        @Override
        public void complete() {
            call.onCompleted();
        }

        @Override
        public void fail(RuntimeException error) {
            call.onError(StatusMapper.toStatusException(error));
        }
    }
}
