package dev.labbook.sdk;

import dev.labbook.api.v1.AppendLogsRequest;
import dev.labbook.api.v1.AppendLogsResponse;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
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
    /** Lines per AppendLogs message (the server's limit is 10,000). */
    static final int LINES_PER_MESSAGE = 1000;
    /** Text per message, well under the default 16 MiB message limit. */
    static final int BYTES_PER_MESSAGE = 4 * 1024 * 1024;

    private final Channel channel;
    private final Calls calls;

    LogsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    /**
     * Appends lines in order over one AppendLogs stream and returns how many the server stored.
     * Not retried: the server does not deduplicate log lines.
     */
    public long append(String runId, List<LogLine> lines) {
        long timeout = calls.options().callTimeout().toMillis();
        ClientStream<AppendLogsRequest, AppendLogsResponse> stream = ClientStream
                .open(LogServiceGrpc.newStub(channel)::appendLogs);
        try {
            AppendLogsRequest.Builder msg = AppendLogsRequest.newBuilder().setRunId(runId);
            int bytes = 0;
            for (LogLine line : lines) {
                if (msg.getLinesCount() >= LINES_PER_MESSAGE || bytes + line.text().length() * 3 > BYTES_PER_MESSAGE) {
                    stream.send(msg.build(), timeout);
                    msg = AppendLogsRequest.newBuilder().setRunId(runId);
                    bytes = 0;
                }
                msg.addLines(Protos.line(line));
                bytes += line.text().length() * 3;
            }
            if (msg.getLinesCount() > 0 || lines.isEmpty()) {
                stream.send(msg.build(), timeout);
            }
            return stream.finish(timeout).getAcceptedLines();
        } catch (RuntimeException e) {
            stream.cancel("append failed");
            throw Errors.translate(e);
        }
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
