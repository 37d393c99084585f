package dev.labbook.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.ListRunsResponse;
import dev.labbook.api.v1.LogLine;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.S3ProxyServer;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import dev.labbook.server.testing.StreamEvents;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes (the packaged jar) on one PostgreSQL database and one S3 bucket behave as
 * one: a metric writer's stream moves from A to B and back mid-run with every point stored once, a log
 * follow and a WatchRun on A see writes made through B within a second (the fallback poll is set
 * to a minute, so only LISTEN/NOTIFY can explain it), and page tokens of A work on B.
 */
class ReplicasIT {
    /** Far above the latency asserted: a wake-up within a second cannot come from the poll. */
    private static final String POLL_MS = "60000";
    private static final long WITHIN_MS = 1_000;
    private static final int SAMPLES = 5;

    @TempDir
    Path tmp;

    private S3ProxyServer s3;
    private ServerProcess a;
    private ServerProcess b;
    private ManagedChannel toA;
    private ManagedChannel toB;

    @BeforeEach
    void startTwoReplicas() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_replicas_it");
        s3 = S3ProxyServer.start(tmp.resolve("s3"));
        a = replica(db, "a");
        b = replica(db, "b");
        toA = NettyChannelBuilder.forAddress("127.0.0.1", a.port()).usePlaintext().build();
        toB = NettyChannelBuilder.forAddress("127.0.0.1", b.port()).usePlaintext().build();
    }

    private ServerProcess replica(DatabaseEndpoint db, String name) throws Exception {
        return ServerProcess.start(tmp.resolve("logs-" + name), ServerProcess.freePort(),
                "--data-dir", tmp.resolve("data-" + name).toString(),
                "--db-url", db.jdbcUrl(), "--db-user", db.user(),
                "--s3-endpoint", s3.endpoint(), "--s3-bucket", "replicas", "--s3-region", "us-east-1",
                "--s3-access-key", s3.accessKey(), "--s3-secret-key", s3.secretKey(),
                "--http-port", "0", "--metrics-port", "0", "--live-poll-interval-ms", POLL_MS);
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel channel : new ManagedChannel[] {toA, toB}) {
            if (channel != null) {
                channel.shutdownNow();
            }
        }
        for (ServerProcess server : new ServerProcess[] {a, b}) {
            if (server != null) {
                server.close();
            }
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private Run openRun(ManagedChannel channel, String experiment, String name) {
        return RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                .setCreateExperimentIfMissing(true).setExperimentName(experiment).setName(name).build()).getRun();
    }

    @Test
    void aMetricWriterMovesFromAToBAndBackMidRunAndEveryPointIsStoredOnce() {
        String run = openRun(toA, "replicas-metrics", "moving-writer").getId();
        List<MetricBatch> batches = new ArrayList<>();
        for (int seq = 1; seq <= 24; seq++) {
            MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(run).setWriterId("pod-0").setSequence(seq)
                    .addKeys("loss");
            for (long step = (seq - 1) * 50L; step < seq * 50L; step++) {
                batch.addKeyIndex(0).addStep(step).addTimestampMs(1_000_000 + step).addValue(step * 0.25);
            }
            batches.add(batch.build());
        }

        LogMetricsResponse first = MetricStreams.send(toA, batches.subList(0, 10));
        // B knows where the writer stands: the sequence lives in the database, not in A.
        long lastOnB = MetricServiceGrpc.newBlockingStub(toB).getWriterState(GetWriterStateRequest.newBuilder()
                .setRunId(run).setWriterId("pod-0").build()).getLastSequence();
        // The writer resumes on B from its last batch sent to A (a retry: its ack was "lost").
        LogMetricsResponse second = MetricStreams.send(toB, batches.subList(9, 20));
        // And back to A, which holds nothing of the writer in memory either.
        LogMetricsResponse third = MetricStreams.send(toA, batches.subList(19, 24));

        assertThat(first.getAcceptedBatches()).isEqualTo(10);
        assertThat(lastOnB).isEqualTo(10);
        assertThat(second.getAcceptedBatches()).isEqualTo(10);
        assertThat(second.getSkippedDuplicateBatches()).isEqualTo(1);
        assertThat(second.getSkippedDuplicatePoints()).isEqualTo(50);
        assertThat(third.getAcceptedBatches()).isEqualTo(4);
        assertThat(third.getSkippedDuplicateBatches()).isEqualTo(1);
        for (ManagedChannel reader : List.of(toA, toB)) {
            MetricStreams.Series series = MetricStreams.history(reader, GetMetricHistoryRequest.newBuilder()
                    .setRunId(run).setKey("loss").build());
            assertThat(series.steps()).containsExactlyElementsOf(LongStream.range(0, 1200).boxed().toList());
            assertThat(series.values().get(1199)).isEqualTo(1199 * 0.25);
        }
    }

    @Test
    void aLogFollowAndAWatchOnASeeWritesThroughBWithinASecond() throws Exception {
        Run run = openRun(toA, "replicas-live", "followed");
        String runId = run.getId();
        StreamEvents<ReadLogsResponse> follow = StreamEvents.flattening(ReadLogsResponse::getLinesList);
        LogServiceGrpc.newStub(toA).readLogs(ReadLogsRequest.newBuilder().setRunId(runId).setFollow(true).build(),
                follow);
        StreamEvents<WatchRunResponse> watch = StreamEvents.of(WatchRunResponse::getRun);
        RunServiceGrpc.newStub(toA).watchRun(WatchRunRequest.newBuilder().setRunId(runId).build(), watch);
        assertThat(watch.next(Run.class, 10)).as("the watch's first message").isNotNull();
        // Both streams are open on A once a first line arrives there (read or woken, either way).
        append(toB, runId, "ready");
        assertThat(follow.next(LogLine.class, 10)).extracting(LogLine::getText).isEqualTo("ready");

        List<Long> lineLatencies = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            Thread.sleep(300); // the follow is caught up and waiting again
            long sent = System.nanoTime();
            append(toB, runId, "through B " + i);
            LogLine line = follow.next(LogLine.class, 10);
            lineLatencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            assertThat(line).extracting(LogLine::getText).isEqualTo("through B " + i);
        }
        List<Long> watchLatencies = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            Thread.sleep(300);
            long sent = System.nanoTime();
            RunServiceGrpc.newBlockingStub(toB).updateRun(UpdateRunRequest.newBuilder().setRunId(runId)
                    .setDescription("changed through B " + i).setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                    .build());
            String description = "changed through B " + i;
            Run seen = watch.awaitMessage(Run.class, r -> r.getDescription().equals(description), 10);
            watchLatencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            assertThat(seen).isNotNull();
        }
        // Finishing through B ends both streams on A: the follow (every line delivered) and the watch.
        long finishing = System.nanoTime();
        RunServiceGrpc.newBlockingStub(toB).finishRun(FinishRunRequest.newBuilder().setRunId(runId)
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
        Run finished = watch.awaitMessage(Run.class, r -> r.getStatus() == RunStatus.RUN_STATUS_COMPLETED, 10);
        long watchEndMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finishing);
        assertThat(follow.awaitEnd(10)).as("the follow ended").isEqualTo("completed");
        long followEndMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finishing);
        assertThat(watch.awaitEnd(10)).as("the watch ended").isEqualTo("completed");

        System.out.printf("cross-replica latency (ms): log lines %s, watch changes %s, finish seen by watch %d, "
                + "follow ended %d%n", lineLatencies, watchLatencies, watchEndMs, followEndMs);
        assertThat(finished).isNotNull();
        assertThat(lineLatencies).allSatisfy(ms -> assertThat(ms).isLessThan(WITHIN_MS));
        assertThat(watchLatencies).allSatisfy(ms -> assertThat(ms).isLessThan(WITHIN_MS));
        assertThat(watchEndMs).isLessThan(WITHIN_MS);
        assertThat(followEndMs).isLessThan(WITHIN_MS);
    }

    @Test
    void pageTokensOfAWorkOnB() {
        List<String> ids = new ArrayList<>();
        String experiment = null;
        for (int i = 0; i < 5; i++) {
            Run run = openRun(toA, "replicas-pages", "run-" + i);
            ids.add(run.getId());
            experiment = run.getExperimentId();
        }
        ListRunsResponse firstList = RunServiceGrpc.newBlockingStub(toA).listRuns(ListRunsRequest.newBuilder()
                .setExperimentId(experiment).setPageSize(2).build());
        ListRunsResponse nextList = RunServiceGrpc.newBlockingStub(toB).listRuns(ListRunsRequest.newBuilder()
                .setExperimentId(experiment).setPageSize(2).setPageToken(firstList.getNextPageToken()).build());
        ListRunsResponse allList = RunServiceGrpc.newBlockingStub(toB).listRuns(ListRunsRequest.newBuilder()
                .setExperimentId(experiment).setPageSize(4).build());
        assertThat(firstList.getNextPageToken()).isNotEmpty();
        assertThat(ids(firstList.getRunsList(), nextList.getRunsList()))
                .containsExactlyElementsOf(ids(allList.getRunsList(), List.of()));

        SearchRunsRequest search = SearchRunsRequest.newBuilder().addExperimentIds(experiment)
                .addOrderBy("name").setPageSize(2).build();
        SearchRunsResponse firstSearch = RunServiceGrpc.newBlockingStub(toA).searchRuns(search);
        SearchRunsResponse nextSearch = RunServiceGrpc.newBlockingStub(toB).searchRuns(search.toBuilder()
                .setPageToken(firstSearch.getNextPageToken()).build());
        SearchRunsResponse lastSearch = RunServiceGrpc.newBlockingStub(toA).searchRuns(search.toBuilder()
                .setPageToken(nextSearch.getNextPageToken()).build());
        assertThat(nextSearch.getNextPageToken()).isNotEmpty();
        assertThat(names(firstSearch.getRunsList(), nextSearch.getRunsList(), lastSearch.getRunsList()))
                .containsExactly("run-0", "run-1", "run-2", "run-3", "run-4");
        assertThat(lastSearch.getNextPageToken()).isEmpty();
    }

    private static List<String> ids(List<Run> first, List<Run> second) {
        List<String> ids = new ArrayList<>();
        first.forEach(r -> ids.add(r.getId()));
        second.forEach(r -> ids.add(r.getId()));
        return ids;
    }

    @SafeVarargs
    private static List<String> names(List<Run>... pages) {
        List<String> names = new ArrayList<>();
        for (List<Run> page : pages) {
            page.forEach(r -> names.add(r.getName()));
        }
        return names;
    }

    private static void append(ManagedChannel channel, String runId, String text) {
        LogServiceGrpc.newBlockingStub(channel).appendLogLines(AppendLogLinesRequest.newBuilder().setRunId(runId)
                .addLines(LogLine.newBuilder().setText(text)).build());
    }
}
