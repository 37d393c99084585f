package dev.labbook.sdk;

import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.AppendLogLinesResponse;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Errors;
import dev.labbook.sdk.internal.LogText;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import io.grpc.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

/** Text log calls of {@link LabbookClient}. */
public final class LogsApi {
    /** Lines per AppendLogLines call (the server's limit is 10,000). */
    static final int LINES_PER_MESSAGE = LogText.LINES_PER_MESSAGE;
    /** Text per call, well under the default 16 MiB message limit. */
    static final int BYTES_PER_MESSAGE = LogText.BYTES_PER_MESSAGE;

    private final Channel channel;
    private final Calls calls;
    private final MetricsApi metrics;

    LogsApi(Channel channel, Calls calls, MetricsApi metrics) {
        this.channel = channel;
        this.calls = calls;
        this.metrics = metrics;
    }

    /**
     * Appends lines in order and returns how many the server stored. Safe to retry inside: the
     * calls carry a writer id made for this append and a sequence each, so a call resent after
     * a lost answer is stored once. For a stream of appends to one run, prepare them from one
     * {@link AppendWriter} instead ({@link #prepare}).
     */
    public long append(String runId, List<LogLine> lines) {
        PendingAppend append = prepare(runId, new AppendWriter("logs"), lines);
        append.send();
        return append.answerSum();
    }

    /**
     * The calls that append these lines in order (up to {@value #LINES_PER_MESSAGE} lines and
     * about 4 MiB each) with the writer's next sequences; nothing is sent until
     * {@link PendingAppend#send()}, which may be repeated after a failure.
     */
    public PendingAppend prepare(String runId, AppendWriter writer, List<LogLine> lines) {
        List<PendingAppend.Call> parts = new ArrayList<>();
        for (List<LogLine> message : LogText.messages(lines)) {
            parts.add((writerId, sequence) -> append(runId, writerId, sequence, message).count());
        }
        return new PendingAppend(metrics::writerState, runId, writer, parts);
    }

    /**
     * One AppendLogLines call: the lines (at most {@value #LINES_PER_MESSAGE}, a few MiB) under
     * a writer id and sequence (see {@link AppendWriter}); empty writer id and sequence 0 mean
     * no de-duplication. With a writer id the call is retried on UNAVAILABLE/ABORTED, since the
     * server stores a sequence once.
     */
    public AppendResult append(String runId, String writerId, long sequence, List<LogLine> lines) {
        AppendLogLinesRequest.Builder req = AppendLogLinesRequest.newBuilder().setRunId(runId)
                .setWriterId(writerId == null ? "" : writerId).setSequence(sequence);
        lines.forEach(l -> req.addLines(Protos.line(l)));
        AppendLogLinesRequest built = req.build();
        AppendLogLinesResponse resp = built.getWriterId().isEmpty() ? calls.once(() -> stub().appendLogLines(built))
                : calls.idempotent(() -> stub().appendLogLines(built));
        return new AppendResult(resp.getAcceptedLines(), resp.getDuplicate());
    }

    private LogServiceGrpc.LogServiceBlockingStub stub() {
        return LogServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lines from {@code startOffset}, at most {@code limit} (0 = all), at {@code minLevel} or above (null = all). */
    public List<LogLine> read(String runId, long startOffset, long limit, LogLevel minLevel) {
        ReadLogsRequest.Builder req = ReadLogsRequest.newBuilder().setRunId(runId).setStartOffset(startOffset)
                .setLimit(limit);
        if (minLevel != null) {
            req.setMinLevel(Protos.level(minLevel));
        }
        ReadLogsRequest built = req.build();
        return calls.idempotent(() -> {
            List<LogLine> out = new ArrayList<>();
            Iterator<ReadLogsResponse> it = LogServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(Math.max(600_000, calls.options().callTimeout().toMillis()), TimeUnit.MILLISECONDS)
                    .readLogs(built);
            while (it.hasNext()) {
                it.next().getLinesList().forEach(l -> out.add(Protos.line(l)));
            }
            return out;
        });
    }

    /**
     * Number of lines in the run's log, found by probing single offsets (doubling, then
     * bisecting): about 2·log2(n) tiny reads instead of downloading the whole log.
     */
    public long count(String runId) {
        if (!hasLine(runId, 0)) {
            return 0;
        }
        long present = 0; // an offset known to hold a line
        long absent = 1;  // a candidate past the end
        while (hasLine(runId, absent)) {
            present = absent;
            absent *= 2;
        }
        while (absent - present > 1) {
            long mid = present + (absent - present) / 2;
            if (hasLine(runId, mid)) {
                present = mid;
            } else {
                absent = mid;
            }
        }
        return present + 1;
    }

    private boolean hasLine(String runId, long offset) {
        return !read(runId, offset, 1, null).isEmpty();
    }

    /**
     * Follows a run's log from {@code startOffset}: the iterator yields existing lines, then new
     * ones as they arrive, and ends when the run finishes. {@code hasNext()} blocks; close the
     * follower to stop early (from any thread).
     */
    public LogFollower follow(String runId, long startOffset) {
        ReadLogsRequest req = ReadLogsRequest.newBuilder().setRunId(runId).setStartOffset(startOffset).setFollow(true)
                .build();
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        try {
            return new LogFollower(LogServiceGrpc.newBlockingStub(channel).readLogs(req), context);
        } finally {
            context.detach(previous);
        }
    }

    /** A followed log: an iterator of lines that can be closed. */
    public static final class LogFollower implements Iterator<LogLine>, AutoCloseable {
        private final Iterator<ReadLogsResponse> responses;
        private final Context.CancellableContext context;
        private final ArrayDeque<LogLine> ready = new ArrayDeque<>();

        LogFollower(Iterator<ReadLogsResponse> responses, Context.CancellableContext context) {
            this.responses = responses;
            this.context = context;
        }

        @Override
        public boolean hasNext() {
            try {
                while (ready.isEmpty()) {
                    if (context.isCancelled() || !responses.hasNext()) {
                        return false;
                    }
                    responses.next().getLinesList().forEach(l -> ready.add(Protos.line(l)));
                }
                return true;
            } catch (RuntimeException e) {
                if (context.isCancelled()) {
                    return false;
                }
                throw Errors.translate(e);
            }
        }

        @Override
        public LogLine next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }
}
