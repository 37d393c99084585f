package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.internal.MetricSender;
import dev.labbook.sdk.internal.OnlineSink;
import dev.labbook.sdk.internal.Spool;
import dev.labbook.sdk.internal.SpooledCalls;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the background senders of a run do when the server (behind a {@link FaultProxy}) answers
 * with errors: outages keep the data, refusals drop only what was refused, a poison request
 * does not block the rest.
 */
@ExtendWith(LabbookServerExtension.class)
class DeliveryFaultsIT {
    @TempDir
    Path tmp;
    private TestServer server;
    private FaultProxy proxy;
    private LabbookClient direct;

    @BeforeEach
    void start(TestServer server) {
        this.server = server;
        this.proxy = new FaultProxy(server.target());
        this.direct = LabbookClient.connect(server.target());
    }

    @AfterEach
    void stop() throws Exception {
        direct.close();
        proxy.close();
    }

    private LabbookOptions options() {
        return LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool")).withBatchPoints(10)
                .withBufferPoints(1000).withCloseTimeout(Duration.ofSeconds(30))
                .withClient(new ClientOptions(Duration.ofSeconds(10), 5,
                        new Backoff(Duration.ofMillis(10), Duration.ofMillis(50))));
    }

    private static void logPoints(Run run, String key, int from, int to) {
        for (int i = from; i < to; i++) {
            run.logMetric(key, i, i);
        }
    }

    @Test
    void permissionDeniedAndResourceExhaustedKeepMetricBatches() {
        proxy.failNext("LogMetrics", Status.PERMISSION_DENIED.withDescription("token expired"), 2);
        proxy.failNext("LogMetrics", Status.UNAUTHENTICATED, 1);
        proxy.failNext("LogMetrics", Status.RESOURCE_EXHAUSTED.withDescription("server busy"), 2);
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("denied")) {
            runId = run.id();
            logPoints(run, "x", 0, 30);
            assertThat(run.flush(20_000)).isTrue();
            assertThat(((OnlineSink) run.sink()).metricSender().droppedBatches()).isZero();
        }
        assertThat(proxy.faultsLeft("LogMetrics")).isZero();
        assertThat(direct.metrics().history(runId, "x").size()).isEqualTo(30);
    }

    @Test
    void aFileUploadRefusedAsServerBusyIsRetried() throws IOException {
        Path file = tmp.resolve("model.bin");
        Files.writeString(file, "weights");
        proxy.failNext("UploadArtifact", Status.RESOURCE_EXHAUSTED.withDescription("server busy"), 2);
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("busy")) {
            runId = run.id();
            run.uploadFile("model.bin", file);
            assertThat(run.flush(20_000)).isTrue();
        }
        assertThat(proxy.faultsLeft("UploadArtifact")).isZero();
        assertThat(direct.artifacts().get(runId, "model.bin").sizeBytes()).isEqualTo(7);
    }

    @Test
    void aBatchThatKeepsFailingWithInternalIsDroppedAndTheNextOnesArrive() {
        proxy.failNext("LogMetrics", Status.INTERNAL.withDescription("bug"), MetricSender.FAULT_ATTEMPTS);
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("poison")) {
            runId = run.id();
            logPoints(run, "x", 0, 10); // one full batch: the poison one
            assertThat(run.flush(20_000)).isTrue();
            logPoints(run, "x", 10, 30);
            assertThat(run.flush(20_000)).isTrue();
            assertThat(((OnlineSink) run.sink()).metricSender().droppedBatches()).isEqualTo(1);
        }
        MetricSeries s = direct.metrics().history(runId, "x");
        assertThat(s.steps()).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                28, 29);
    }

    @Test
    void anUnreadableSpooledBatchDropsOnlyItself() throws Exception {
        proxy.failNext("LogMetrics", Status.UNAVAILABLE, 100_000);
        Path spool = tmp.resolve("spool");
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options().withSpoolAfter(Duration.ZERO));
                Run run = lb.experiment("faults").startRun("unreadable")) {
            runId = run.id();
            logPoints(run, "x", 0, 30); // three batches, spooled during the "outage"
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (batchFiles(spool).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Path> files = batchFiles(spool);
            assertThat(files).hasSize(3);
            Files.write(files.get(1), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}); // sequence 2
            // a round opened before the write may have read the good file and reach the proxy only after
            // the faults are cleared: wait until a later round read the bad file, then let rounds pass
            MetricSender sender = ((OnlineSink) run.sink()).metricSender();
            while (sender.droppedBatches() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            proxy.clearFaults("LogMetrics");
            assertThat(run.flush(20_000)).isTrue();
            assertThat(((OnlineSink) run.sink()).metricSender().droppedBatches()).isEqualTo(1);
        }
        MetricSeries s = direct.metrics().history(runId, "x");
        assertThat(s.steps()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
        assertThat(batchFiles(spool)).isEmpty();
    }

    @Test
    void theFinalStatusIsSetAfterTheLastMetricBatchesArrive() {
        proxy.failNext("LogMetrics", Status.UNAVAILABLE, 4);
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("order")) {
            runId = run.id();
            logPoints(run, "x", 0, 25);
        }
        assertThat(direct.metrics().history(runId, "x").size()).isEqualTo(25);
        List<String> ok = proxy.outcomes().stream().filter(o -> o.code() == Status.Code.OK)
                .map(FaultProxy.Outcome::method).toList();
        assertThat(ok.lastIndexOf("LogMetrics")).isLessThan(ok.lastIndexOf("FinishRun"));
    }

    @Test
    void logLinesLoggedBeforeCloseAllArriveBeforeTheFinalStatus() {
        String runId;
        int lines = 12_000;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("lines")) {
            runId = run.id();
            for (int i = 0; i < lines; i++) {
                run.log("line " + i);
            }
        }
        assertThat(direct.logs().count(runId)).isEqualTo(lines);
        List<String> ok = proxy.outcomes().stream().filter(o -> o.code() == Status.Code.OK)
                .map(FaultProxy.Outcome::method).toList();
        assertThat(ok.lastIndexOf("AppendLogLines")).isLessThan(ok.lastIndexOf("FinishRun"));
    }

    @Test
    void aTableAppendWhoseAnswerWasLostIsNotStoredTwice() {
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("rows")) {
            runId = run.id();
            proxy.loseAnswerOfNext("AppendTableRows", 1);
            run.logRow("per_epoch", Map.of("epoch", 1, "acc", 0.5));
            assertThat(run.flush(20_000)).isTrue();
            proxy.loseAnswerOfNext("AppendTableRows", 1);
            run.logTable("per_epoch", Map.of("epoch", List.of(2, 3), "acc", List.of(0.6, 0.7)));
            assertThat(run.flush(20_000)).isTrue();
        }
        // before resending a call whose answer was lost the queue asked GetWriterState, which said
        // it was committed: neither is sent again
        assertThat(proxy.outcomes()).filteredOn(o -> o.method().equals("AppendTableRows")).hasSize(2);
        assertThat(proxy.outcomes()).filteredOn(o -> o.method().equals("GetWriterState")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(direct.tables().get(runId, "per_epoch").column("epoch")).containsExactly(1.0, 2.0, 3.0);
    }

    @Test
    void rowsWhoseAnswerWasLostAreSkippedByTheWriterStateOnceTheServerAnswersAgain() {
        int rows = 2 * TablesApi.MAX_ROWS_PER_CALL + 5_000; // three calls
        List<Integer> epochs = java.util.stream.IntStream.range(0, rows).boxed().toList();
        String runId;
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("rows-state")) {
            runId = run.id();
            // the first call is stored, but its answer is lost
            proxy.loseAnswerOfNext("AppendTableRows", 1);
            run.logTable("big", Map.of("epoch", epochs));
            assertThat(run.flush(30_000)).isTrue();
        }
        assertThat(proxy.outcomes()).filteredOn(o -> o.method().equals("GetWriterState")).isNotEmpty();
        // the committed first call is not sent again after GetWriterState: it and the two others
        assertThat(proxy.outcomes()).filteredOn(o -> o.method().equals("AppendTableRows")).hasSize(3);
        Table t = direct.tables().get(runId, "big");
        assertThat(t.rows()).hasSize(rows);
        assertThat(t.column("epoch").get(rows - 1)).isEqualTo((double) (rows - 1));
    }

    @Test
    void logLinesWhoseAnswerWasLostAreNotStoredTwice() {
        String runId;
        int lines = 2_500; // three calls
        try (Labbook lb = Labbook.connect(proxy.target(), options());
                Run run = lb.experiment("faults").startRun("lost-lines")) {
            runId = run.id();
            proxy.loseAnswerOfNext("AppendLogLines", attempts() + 1);
            for (int i = 0; i < lines; i++) {
                run.log("line " + i);
            }
            assertThat(run.flush(30_000)).isTrue();
        }
        List<LogLine> stored = direct.logs().read(runId, 0, 0, null);
        assertThat(stored).hasSize(lines);
        for (int i = 0; i < lines; i++) {
            assertThat(stored.get(i).text()).isEqualTo("line " + i);
        }
    }

    @Test
    void aReplayedAppendWhoseAnswerWasLostIsStoredOnceByTheNextReplay() throws Exception {
        String runId;
        try (Labbook lb = Labbook.connect(server.target(), options());
                Run run = lb.experiment("faults").startRun("replay-lost")) {
            runId = run.id();
        }
        Path root = tmp.resolve("replay-spool");
        Spool spool = Spool.forWriter(root, runId, "java-gone-writer");
        List<LogLine> lines = java.util.stream.IntStream.range(0, 1500)
                .mapToObj(i -> new LogLine(-1, 1, LogLevel.INFO, LogStream.USER, "line " + i)).toList();
        for (dev.labbook.api.v1.SpooledCall c : SpooledCalls.lines(runId, new AppendWriter("logs"), lines)) {
            spool.writeCall(c); // two calls
        }
        for (dev.labbook.api.v1.SpooledCall c : SpooledCalls.rows(runId, new AppendWriter("rows"), "t",
                List.of(Map.of("a", 1), Map.of("a", 2)))) {
            spool.writeCall(c);
        }
        spool.writeCall(SpooledCalls.tags(runId, Map.of("replayed", "once")));
        spool.release(); // the writer is gone
        proxy.loseAnswerOfNext("AppendLogLines", 1); // the first call is stored, its answer lost
        try (LabbookClient viaProxy = LabbookClient.connect(proxy.target())) {
            SpoolReplayer.Result first = SpoolReplayer.replay(viaProxy, root);
            assertThat(first.failedWriters()).isEqualTo(1);
            assertThat(first.calls()).isZero();
            assertThat(Spool.calls(spool.dir())).as("kept for the next replay").hasSize(4);
            SpoolReplayer.Result second = SpoolReplayer.replay(viaProxy, root);
            assertThat(second.failedWriters()).isZero();
            assertThat(second.calls()).isEqualTo(4);
        }
        assertThat(direct.logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                .containsExactlyElementsOf(lines.stream().map(LogLine::text).toList());
        assertThat(direct.tables().get(runId, "t").column("a")).containsExactly(1.0, 2.0);
        assertThat(direct.runs().get(runId).tags()).containsEntry("replayed", "once");
        assertThat(root).isEmptyDirectory();
    }

    /** Attempts of one call inside the client before the run's queue retries it later. */
    private int attempts() {
        return options().client().maxAttempts();
    }

    private static List<Path> batchFiles(Path spool) throws IOException {
        if (!Files.exists(spool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(p -> p.toString().endsWith(".batch")).sorted().toList();
        }
    }
}
