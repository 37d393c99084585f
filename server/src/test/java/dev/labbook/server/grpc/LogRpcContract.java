package dev.labbook.server.grpc;

import dev.labbook.server.testing.FirstResponse;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.AppendLogsRequest;
import dev.labbook.api.v1.AppendLogsResponse;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.LogLevel;
import dev.labbook.api.v1.LogLine;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.LogStream;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.server.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The LogService RPCs over real gRPC (TCP): run by {@link LogGrpcIT} against a server of its own
 * and by {@link LogServiceIT} against the shared test server.
 */
abstract class LogRpcContract {
    static final Duration WAIT = Duration.ofSeconds(15);

    /** The shared test server (its RunService creates and finishes runs). */
    abstract TestServer server();

    /** A channel to a server with the LogService under test. */
    abstract ManagedChannel logChannel();

    String run() {
        return server().runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setExperimentName("logs-rpc")
                .setName("r-" + UUID.randomUUID()).build()).getRun().getId();
    }

    void finish(String run) {
        server().runs().finishRun(FinishRunRequest.newBuilder().setRunId(run).setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
    }

    static LogLine line(String text) {
        return LogLine.newBuilder().setText(text).build();
    }

    static AppendLogsRequest message(String run, List<LogLine> lines) {
        return AppendLogsRequest.newBuilder().setRunId(run).addAllLines(lines).build();
    }

    static List<LogLine> lines(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> line(prefix + i)).toList();
    }

    /** Sends the messages on one AppendLogs stream; returns the response or throws its error. */
    AppendLogsResponse append(List<AppendLogsRequest> messages) {
        FirstResponse<AppendLogsResponse> result = new FirstResponse<>();
        StreamObserver<AppendLogsRequest> stream = LogServiceGrpc.newStub(logChannel()).appendLogs(result);
        for (AppendLogsRequest m : messages) {
            stream.onNext(m);
        }
        stream.onCompleted();
        return result.await(WAIT.toSeconds());
    }

    AppendLogsResponse append(String run, List<LogLine> lines) {
        return append(List.of(message(run, lines)));
    }

    /** Every message of a ReadLogs call (without follow). */
    List<ReadLogsResponse> readMessages(ReadLogsRequest request) {
        List<ReadLogsResponse> messages = new ArrayList<>();
        Iterator<ReadLogsResponse> it = LogServiceGrpc.newBlockingStub(logChannel())
                .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS).readLogs(request);
        it.forEachRemaining(messages::add);
        return messages;
    }

    List<LogLine> read(ReadLogsRequest request) {
        List<LogLine> lines = new ArrayList<>();
        readMessages(request).forEach(m -> lines.addAll(m.getLinesList()));
        return lines;
    }

    List<LogLine> read(String run) {
        return read(ReadLogsRequest.newBuilder().setRunId(run).build());
    }

    /** A ReadLogs call in progress, collecting what arrives. */
    static final class Follower implements ClientResponseObserver<ReadLogsRequest, ReadLogsResponse> {
        final List<LogLine> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile ClientCallStreamObserver<ReadLogsRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<ReadLogsRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(ReadLogsResponse value) {
            lines.addAll(value.getLinesList());
        }

        @Override
        public void onError(Throwable t) {
            ended.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            ended.complete(null);
        }

        List<String> texts() {
            return lines.stream().map(LogLine::getText).toList();
        }

        void awaitLines(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (lines.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("expected " + n + " lines, got " + lines.size() + ": " + texts());
                }
                Thread.sleep(10);
            }
        }

        void awaitEnd() throws Exception {
            ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    Follower follow(ReadLogsRequest request) {
        Follower follower = new Follower();
        LogServiceGrpc.newStub(logChannel()).readLogs(request.toBuilder().setFollow(true).build(), follower);
        return follower;
    }

    @Test
    void appendsAStreamOfMessagesAndReadsTheLinesBackInOrder() {
        String run = run();
        long before = System.currentTimeMillis();
        AppendLogsResponse response = append(List.of(
                message(run, List.of(line("plain"),
                        LogLine.newBuilder().setText("err").setLevel(LogLevel.LOG_LEVEL_ERROR)
                                .setStream(LogStream.LOG_STREAM_STDERR).setTimestampMs(1_700_000_000_000L).build())),
                AppendLogsRequest.newBuilder().addLines(LogLine.newBuilder().setText("dbg")
                        .setLevel(LogLevel.LOG_LEVEL_DEBUG).setStream(LogStream.LOG_STREAM_STDOUT)
                        .setTimestampMs(42).setOffset(999)).build(),
                AppendLogsRequest.newBuilder().build(),
                message(run, List.of(LogLine.newBuilder().setText("warn ✓").setLevel(LogLevel.LOG_LEVEL_WARNING)
                        .setStream(LogStream.LOG_STREAM_USER).setTimestampMs(43).build()))));
        long after = System.currentTimeMillis();

        assertThat(response.getAcceptedLines()).isEqualTo(4);
        List<LogLine> lines = read(run);
        assertThat(lines).extracting(LogLine::getOffset).containsExactly(0L, 1L, 2L, 3L);
        assertThat(lines).extracting(LogLine::getText).containsExactly("plain", "err", "dbg", "warn ✓");
        assertThat(lines).extracting(LogLine::getLevel).containsExactly(LogLevel.LOG_LEVEL_INFO,
                LogLevel.LOG_LEVEL_ERROR, LogLevel.LOG_LEVEL_DEBUG, LogLevel.LOG_LEVEL_WARNING);
        assertThat(lines).extracting(LogLine::getStream).containsExactly(LogStream.LOG_STREAM_USER,
                LogStream.LOG_STREAM_STDERR, LogStream.LOG_STREAM_STDOUT, LogStream.LOG_STREAM_USER);
        assertThat(lines.get(0).getTimestampMs()).isBetween(before, after);
        assertThat(lines).extracting(LogLine::getTimestampMs).endsWith(1_700_000_000_000L, 42L, 43L);

        // A second stream continues the offsets.
        assertThat(append(run, lines("more", 2)).getAcceptedLines()).isEqualTo(2);
        assertThat(read(run)).extracting(LogLine::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void filtersByMinLevelAndPagesWithStartOffsetAndLimit() {
        String run = run();
        List<LogLine> lines = new ArrayList<>();
        LogLevel[] levels = {LogLevel.LOG_LEVEL_DEBUG, LogLevel.LOG_LEVEL_INFO, LogLevel.LOG_LEVEL_WARNING,
                LogLevel.LOG_LEVEL_ERROR};
        for (int i = 0; i < 40; i++) {
            lines.add(LogLine.newBuilder().setText("l" + i).setLevel(levels[i % 4]).build());
        }
        append(run, lines);

        List<LogLine> warnings = read(ReadLogsRequest.newBuilder().setRunId(run)
                .setMinLevel(LogLevel.LOG_LEVEL_WARNING).build());
        assertThat(warnings).hasSize(20);
        assertThat(warnings).extracting(LogLine::getLevel)
                .containsOnly(LogLevel.LOG_LEVEL_WARNING, LogLevel.LOG_LEVEL_ERROR);
        assertThat(warnings).extracting(LogLine::getOffset).startsWith(2L, 3L, 6L, 7L);
        assertThat(read(ReadLogsRequest.newBuilder().setRunId(run).setMinLevel(LogLevel.LOG_LEVEL_ERROR)
                .setStartOffset(10).setLimit(3).build())).extracting(LogLine::getText).containsExactly("l11", "l15",
                "l19");

        List<String> paged = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<LogLine> page = read(ReadLogsRequest.newBuilder().setRunId(run).setStartOffset(offset).setLimit(7)
                    .build());
            if (page.isEmpty()) {
                break;
            }
            assertThat(page.size()).isLessThanOrEqualTo(7);
            page.forEach(l -> paged.add(l.getText()));
            offset = page.get(page.size() - 1).getOffset() + 1;
        }
        assertThat(paged).containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> "l" + i).toList());
        assertThat(read(ReadLogsRequest.newBuilder().setRunId(run).setStartOffset(1000).build())).isEmpty();
    }

    @Test
    void largeLogsArriveInBoundedMessages() {
        String run = run();
        String big = "x".repeat(60 * 1024);
        List<LogLine> bigLines = IntStream.range(0, 100).mapToObj(i -> line(i + big)).toList();
        for (int i = 0; i < 100; i += 20) {
            append(run, bigLines.subList(i, i + 20));
        }
        append(run, lines("small", 2500));

        List<ReadLogsResponse> messages = readMessages(ReadLogsRequest.newBuilder().setRunId(run).build());
        List<LogLine> all = new ArrayList<>();
        messages.forEach(m -> all.addAll(m.getLinesList()));
        assertThat(all).hasSize(2600);
        assertThat(all).extracting(LogLine::getOffset).containsExactlyElementsOf(
                IntStream.range(0, 2600).mapToObj(i -> (long) i).toList());
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.getLinesCount()).isBetween(1, 1000);
            assertThat(m.getSerializedSize()).isLessThan(2 * 1024 * 1024);
        });
    }

    @Test
    void followDeliversLiveLinesAndCompletesWhenTheRunCompletes() throws Exception {
        String run = run();
        append(run, lines("old", 2));
        Follower follower = follow(ReadLogsRequest.newBuilder().setRunId(run).build());
        follower.awaitLines(2);

        append(run, lines("live", 3));
        follower.awaitLines(5);
        assertThat(follower.ended).isNotDone();
        append(run, lines("final", 1));
        finish(run);

        follower.awaitEnd();
        assertThat(follower.texts()).containsExactly("old0", "old1", "live0", "live1", "live2", "final0");
        assertThat(follower.lines).extracting(LogLine::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void followFromAnOffsetWithALevelFilter() throws Exception {
        String run = run();
        append(run, lines("skip", 5));
        Follower follower = follow(ReadLogsRequest.newBuilder().setRunId(run).setStartOffset(3)
                .setMinLevel(LogLevel.LOG_LEVEL_ERROR).build());
        append(run, List.of(line("info"), LogLine.newBuilder().setText("bad").setLevel(LogLevel.LOG_LEVEL_ERROR)
                .build()));
        follower.awaitLines(1);
        finish(run);
        follower.awaitEnd();
        assertThat(follower.lines).extracting(LogLine::getOffset).containsExactly(6L);
    }

    @Test
    void cancellingAFollowEndsIt() throws Exception {
        String run = run();
        Follower follower = follow(ReadLogsRequest.newBuilder().setRunId(run).build());
        append(run, lines("a", 1));
        follower.awaitLines(1);
        follower.call.cancel("the notebook was closed", null);
        assertThatThrownBy(follower::awaitEnd).cause().isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.CANCELLED));
        append(run, lines("b", 3));
        assertThat(follower.texts()).containsExactly("a0");
    }

    @Test
    void appendRequiresARunIdInTheFirstMessage() {
        assertInvalidField("run_id", () -> append(List.of(AppendLogsRequest.newBuilder().addLines(line("x"))
                .build())));
        assertInvalidField("run_id", () -> append(List.of()));
        assertInvalidField("run_id", () -> append(List.of(message("not-a-uuid", lines("x", 1)))));
    }

    @Test
    void aDifferentRunIdLaterInTheStreamIsRefusedAfterCommittingEarlierMessages() {
        String run = run();
        String other = run();
        StatusRuntimeException e = assertInvalidField("run_id", () -> append(List.of(
                message(run, lines("first", 2)), message(other, lines("second", 1)))));
        assertThat(e.getStatus().getDescription()).contains("message 1", "2 lines");
        assertThat(read(run)).extracting(LogLine::getText).containsExactly("first0", "first1");
        assertThat(read(other)).isEmpty();
    }

    @Test
    void badLinesAreRefusedNamingTheField() {
        String run = run();
        List<LogLine> lines = new ArrayList<>(lines("ok", 3));
        lines.add(line("y".repeat(64 * 1024 + 1)));
        StatusRuntimeException e = assertInvalidField("lines[3].text", () -> append(run, lines));
        assertThat(e.getStatus().getDescription()).contains("65537 bytes", "message 0");
        assertInvalidField("lines[0].text", () -> append(run, List.of(line("a\0b"))));
        assertInvalidField("lines[1].level", () -> append(run, List.of(line("a"),
                LogLine.newBuilder().setText("b").setLevelValue(99).build())));
        assertInvalidField("lines[0].stream", () -> append(run, List.of(
                LogLine.newBuilder().setText("b").setStreamValue(7).build())));
        assertInvalidField("lines", () -> append(run, lines("many", 10_001)));
        assertThat(read(run)).isEmpty();
    }

    @Test
    void readValidatesItsRequest() {
        String run = run();
        assertInvalidField("run_id", () -> read(ReadLogsRequest.newBuilder().build()));
        assertInvalidField("start_offset", () -> read(ReadLogsRequest.newBuilder().setRunId(run)
                .setStartOffset(-1).build()));
        assertInvalidField("limit", () -> read(ReadLogsRequest.newBuilder().setRunId(run).setLimit(-5).build()));
        assertInvalidField("min_level", () -> read(ReadLogsRequest.newBuilder().setRunId(run).setMinLevelValue(9)
                .build()));
    }

    @Test
    void unknownRunsAreNotFoundAndDeletedRunsRefuseAppends() {
        String unknown = UUID.randomUUID().toString();
        assertStatus(Code.NOT_FOUND, () -> append(unknown, lines("x", 1)));
        assertStatus(Code.NOT_FOUND, () -> read(unknown));
        assertStatus(Code.NOT_FOUND, () -> {
            Follower f = follow(ReadLogsRequest.newBuilder().setRunId(unknown).build());
            try {
                f.awaitEnd();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        });

        String run = run();
        append(run, lines("kept", 1));
        server().runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run).build());
        StatusRuntimeException e = assertStatus(Code.FAILED_PRECONDITION, () -> append(run, lines("x", 1)));
        assertThat(e.getStatus().getDescription()).contains("deleted");
        assertThat(read(run)).extracting(LogLine::getText).containsExactly("kept0");
    }

    @Test
    void aPurgedRunsLinesAreGone() throws Exception {
        String run = run();
        append(run, lines("doomed", 5));
        String survivor = run();
        append(survivor, lines("safe", 2));
        server().runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run).build());
        server().runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(run).build());

        assertStatus(Code.NOT_FOUND, () -> read(run));
        assertThat(rows("run_log_line", run)).isZero();
        assertThat(rows("run_log_state", run)).isZero();
        assertThat(rows("run_log_line", survivor)).isEqualTo(2);
        assertThat(read(survivor)).hasSize(2);
    }

    long rows(String table, String run) throws Exception {
        try (Connection c = server().jdbc(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE run_id = '" + run + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static boolean unimplemented(ManagedChannel channel) {
        try {
            LogServiceGrpc.newBlockingStub(channel).readLogs(ReadLogsRequest.newBuilder()
                    .setRunId(UUID.randomUUID().toString()).build()).hasNext();
            return false;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNIMPLEMENTED;
        }
    }
}
