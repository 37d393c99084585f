package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.internal.OnlineSink;
import dev.labbook.sdk.internal.Spool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server goes away while a run logs; every point must end up stored exactly once. */
class OutageIT {
    @TempDir
    Path tmp;

    @Test
    void serverStoppedAndRestartedDuringAMillionPointStream() throws Exception {
        int points = 1_000_000;
        try (RestartableServer server = new RestartableServer("sdk_outage_stream").start()) {
            LabbookOptions options = LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"))
                    .withBatchPoints(10_000).withSpoolAfter(Duration.ofSeconds(2))
                    .withCloseTimeout(Duration.ofSeconds(120));
            String runId;
            try (Labbook lb = Labbook.connect(server.target(), options);
                    Run run = lb.experiment("outage").startRun("stream")) {
                runId = run.id();
                for (int i = 0; i < points; i++) {
                    run.logMetric("x", i);
                    if (i % 10_000 == 0) {
                        // calls during the outage are spooled and sent by this process once the server is back
                        run.log("line " + i / 10_000);
                        run.logRow("progress", Map.of("at", i / 10_000));
                    }
                    if (i == 300_000) {
                        server.stop();
                    }
                    if (i == 600_000) {
                        Thread.sleep(3000); // long enough for the sender to spool what it holds
                    }
                    if (i == 700_000) {
                        server.start();
                    }
                }
                assertThat(run.flush(120_000)).isTrue();
            }
            try (LabbookClient c = LabbookClient.connect(server.target())) {
                MetricSeries s = c.metrics().history(runId, "x");
                assertThat(s.size()).isEqualTo(points);
                for (int i = 0; i < points; i++) {
                    if (s.steps()[i] != i || s.values()[i] != i) {
                        throw new AssertionError("point " + i + " is step " + s.steps()[i] + " value " + s.values()[i]);
                    }
                }
                assertThat(c.runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(c.logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "line " + i).toList());
                assertThat(c.tables().get(runId, "progress").column("at"))
                        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> (Object) (double) i).toList());
            }
            assertThat(batchFiles(tmp.resolve("spool"))).isZero();
            assertThat(files(tmp.resolve("spool"), ".call")).isZero();
        }
    }

    @Test
    void spooledWhileTheServerIsDownThenReplayedByTheNextConnect() throws Exception {
        int points = 100_000;
        try (RestartableServer server = new RestartableServer("sdk_outage_spool").start()) {
            LabbookOptions options = LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"))
                    .withBatchPoints(10_000).withBufferPoints(20_000).withBufferFullWait(Duration.ofMillis(20))
                    .withSpoolAfter(Duration.ofMillis(500)).withCloseTimeout(Duration.ofSeconds(2));
            String runId;
            long slowest = 0;
            try (Labbook lb = Labbook.connect(server.target(), options);
                    Run run = lb.experiment("outage").startRun("spool")) {
                runId = run.id();
                server.stop();
                for (int i = 0; i < points; i++) {
                    long t0 = System.nanoTime();
                    run.logMetric("y", i * 0.5);
                    slowest = Math.max(slowest, System.nanoTime() - t0);
                }
                run.setTag("spooled", "at close"); // not delivered: spooled at close, replayed by the next connect
                run.log("spooled line");
            }
            // a full buffer blocks a caller briefly, then the batch goes to disk
            assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(2000);
            assertThat(batchFiles(tmp.resolve("spool"))).isEqualTo(10);

            server.start();
            try (Labbook lb = Labbook.connect(server.target(), options)) {
                SpoolReplayer.Result r = lb.spoolReplay().get(60, TimeUnit.SECONDS);
                assertThat(r.points()).isEqualTo(points);
                assertThat(lb.replaySpool().batches()).isZero();
                MetricSeries s = lb.client().metrics().history(runId, "y");
                assertThat(s.size()).isEqualTo(points);
                for (int i = 0; i < points; i++) {
                    assertThat(s.steps()[i]).isEqualTo(i);
                }
                RunInfo info = lb.client().runs().get(runId);
                assertThat(info.tags()).containsEntry("spooled", "at close");
                assertThat(info.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(lb.client().logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                        .containsExactly("spooled line");
            }
            assertThat(batchFiles(tmp.resolve("spool"))).isZero();
            assertThat(files(tmp.resolve("spool"), ".call")).isZero();
        }
    }

    /**
     * Every kind of call logged during an outage is on disk once the spool window has passed; a
     * process killed then (modelled by stopping the run's threads at once and letting go of its
     * spool lock, as the kernel does) loses nothing: the next connect replays it all, once. A
     * replay of the same files again (as after answers lost before the files were deleted) stores
     * nothing twice; a call the server refuses is dropped and the rest goes on; batches in the
     * Python SDK's older {@code %016d.pb} files are replayed too.
     */
    @Test
    void everyKindOfCallSpooledDuringAnOutageSurvivesAKillAndIsReplayedOnce() throws Exception {
        int lines = 270;
        int rows = 27;
        Path spool = tmp.resolve("spool");
        try (RestartableServer server = new RestartableServer("sdk_outage_kinds").start()) {
            LabbookOptions options = LabbookOptions.defaults().withSpoolDir(spool).withBatchPoints(100)
                    .withSpoolAfter(Duration.ofMillis(300)).withCloseTimeout(Duration.ofSeconds(2));
            Labbook first = Labbook.connect(server.target(), options);
            Run run = first.experiment("outage").startRun("kinds");
            String runId = run.id();
            run.log("before the outage");
            run.logParam("before", 1);
            assertThat(run.flush(20_000)).isTrue();
            server.stop();
            run.logParams(Map.of("lr", 0.1, "layers", 4));
            run.setTags(Map.of("phase", "outage"));
            run.setDescription("spooled");
            for (int i = 0; i < lines; i++) {
                run.log("line " + i);
                if (i % 10 == 0) {
                    run.logRow("per_step", Map.of("step", i / 10));
                }
                run.logMetric("loss", i);
            }
            run.setTag("after", "lines");
            run.complete();
            long completedAt = System.currentTimeMillis();
            run.flush(1); // seals the last points
            OnlineSink sink = (OnlineSink) run.sink();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sink.calls().inMemory() > 0 || sink.metricSender().batchesInMemory() > 0) {
                assertThat(System.nanoTime()).as("everything spooled within the window").isLessThan(deadline);
                Thread.sleep(20);
            }
            sink.kill(); // kill -9: nothing more is sent, spooled or cleaned up
            first.client().close();
            Path writerDir = spool.resolve(runId).resolve(sink.metricSender().writerId());
            List<Path> callFiles = Spool.calls(writerDir);
            assertThat(callFiles).hasSizeGreaterThanOrEqualTo(7);
            assertThat(Spool.batches(writerDir)).isNotEmpty(); // 3, or 4 when the flush timer sealed one meanwhile
            Path copy = tmp.resolve("copy");
            copyDir(writerDir, copy);

            server.start();
            try (Labbook second = Labbook.connect(server.target(), options)) {
                SpoolReplayer.Result r = second.spoolReplay().get(60, TimeUnit.SECONDS);
                assertThat(r.points()).isEqualTo(lines);
                assertThat(r.calls()).isEqualTo(callFiles.size());
                assertThat(r.refusedCalls()).isZero();
                assertEverything(second.client(), runId, lines, rows, completedAt);
                assertThat(files(spool, ".call") + files(spool, ".batch")).isZero();

                // the same files again, with a call the server refuses first: a COMPLETED run cannot fail
                copyDir(copy, writerDir);
                Files.write(writerDir.resolve(String.format("%020d.call", 0)), dev.labbook.api.v1.SpooledCall
                        .newBuilder().setFinishRun(dev.labbook.api.v1.FinishRunRequest.newBuilder().setRunId(runId)
                                .setStatus(dev.labbook.api.v1.RunStatus.RUN_STATUS_FAILED))
                        .build().toByteArray());
                SpoolReplayer.Result again = second.replaySpool();
                assertThat(again.refusedCalls()).isEqualTo(1);
                assertThat(again.calls()).isEqualTo(callFiles.size());
                assertThat(again.points()).isZero();
                assertThat(again.failedWriters()).isZero();
                assertEverything(second.client(), runId, lines, rows, completedAt);

                // batches left by the previous Python SDK: <sequence %016d>.pb
                Path pyDir = spool.resolve(runId).resolve("py-writer");
                Files.createDirectories(pyDir);
                for (long seq = 1; seq <= 2; seq++) {
                    dev.labbook.api.v1.MetricBatch.Builder b = dev.labbook.api.v1.MetricBatch.newBuilder()
                            .setRunId(runId).setWriterId("py-writer").setSequence(seq).addKeys("py");
                    for (int i = 0; i < 5; i++) {
                        b.addKeyIndex(0).addStep((seq - 1) * 5 + i).addTimestampMs(1).addValue(i);
                    }
                    Files.write(pyDir.resolve(String.format("%016d.pb", seq)), b.build().toByteArray());
                }
                assertThat(second.replaySpool().points()).isEqualTo(10);
                assertThat(second.client().metrics().history(runId, "py").steps())
                        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            }
            assertThat(spool).isEmptyDirectory();
        }
    }

    /** As above with a real process: a child JVM killed with SIGKILL after the SDK spooled what it logged. */
    @Test
    void aWriterProcessKilledDuringAnOutageLosesNothingItSpooled() throws Exception {
        Path spool = tmp.resolve("spool");
        try (RestartableServer server = new RestartableServer("sdk_outage_killed").start()) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledWriterMain.class.getName(), server.target());
            pb.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_"));
            pb.environment().put("LABBOOK_SPOOL_DIR", spool.toString());
            pb.environment().put("LABBOOK_SPOOL_AFTER_SECONDS", "0.3");
            pb.redirectError(tmp.resolve("child.err").toFile());
            Process child = pb.start();
            String runId;
            try {
                java.io.BufferedReader out = new java.io.BufferedReader(
                        new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                String first = java.util.concurrent.CompletableFuture.supplyAsync(() -> readLine(out))
                        .get(60, TimeUnit.SECONDS);
                assertThat(first).as("child stderr: %s", tmp.resolve("child.err")).startsWith("run-id=");
                runId = first.substring("run-id=".length());
                server.stop();
                child.getOutputStream().write("go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                child.getOutputStream().flush();
                assertThat(java.util.concurrent.CompletableFuture.supplyAsync(() -> readLine(out))
                        .get(60, TimeUnit.SECONDS)).isEqualTo("spooled");
                child.destroyForcibly(); // SIGKILL: no close, no exit hook; the kernel drops the spool's lock
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            server.start();
            try (LabbookClient c = LabbookClient.connect(server.target())) {
                SpoolReplayer.Result r = SpoolReplayer.replay(c, spool);
                assertThat(r.failedWriters()).isZero();
                assertThat(r.refusedCalls()).isZero();
                assertThat(r.points()).isEqualTo(270);
                RunInfo info = c.runs().get(runId);
                assertThat(info.params()).containsEntry("lr", 0.1);
                assertThat(info.tags()).containsEntry("phase", "outage");
                assertThat(info.description()).isEqualTo("killed");
                assertThat(info.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(c.logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                        .containsExactlyElementsOf(IntStream.range(0, 270).mapToObj(i -> "line " + i).toList());
                assertThat(c.tables().get(runId, "per_step").column("step"))
                        .containsExactlyElementsOf(IntStream.range(0, 27).mapToObj(i -> (Object) (double) i).toList());
                assertThat(c.metrics().history(runId, "loss").size()).isEqualTo(270);
            }
            assertThat(spool).isEmptyDirectory();
        }
    }

    private static String readLine(java.io.BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertEverything(LabbookClient c, String runId, int lines, int rows, long completedAt) {
        RunInfo info = c.runs().get(runId);
        assertThat(info.params()).containsEntry("before", 1L).containsEntry("lr", 0.1).containsEntry("layers", 4L);
        assertThat(info.tags()).containsEntry("phase", "outage").containsEntry("after", "lines");
        assertThat(info.description()).isEqualTo("spooled");
        assertThat(info.status()).isEqualTo(RunStatus.COMPLETED);
        // the end time is when the SDK completed the run, not when the spool was replayed
        assertThat(info.endTimeMs()).isBetween(completedAt - 5_000, completedAt);
        List<String> text = c.logs().read(runId, 0, 0, null).stream().map(LogLine::text).toList();
        assertThat(text).hasSize(lines + 1);
        assertThat(text.get(0)).isEqualTo("before the outage");
        assertThat(text.subList(1, lines + 1))
                .containsExactlyElementsOf(IntStream.range(0, lines).mapToObj(i -> "line " + i).toList());
        assertThat(c.tables().get(runId, "per_step").column("step"))
                .containsExactlyElementsOf(IntStream.range(0, rows).mapToObj(i -> (Object) (double) i).toList());
        MetricSeries loss = c.metrics().history(runId, "loss");
        assertThat(loss.size()).isEqualTo(lines);
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                if (!f.getFileName().toString().equals("writer.lock")) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static long batchFiles(Path spool) throws IOException {
        return files(spool, ".batch");
    }

    private static long files(Path spool, String suffix) throws IOException {
        if (!Files.exists(spool)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }
}
