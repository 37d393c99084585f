package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LabbookServerExtension.class)
class RunIT {
    @TempDir
    Path tmp;
    private Labbook labbook;

    @BeforeEach
    void connect(TestServer server) {
        labbook = Labbook.connect(server.target(), LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"))
                .withFlushInterval(Duration.ofMillis(100)));
    }

    @AfterEach
    void close() {
        labbook.close();
    }

    @Test
    void everyLoggingCallReachesTheServer() throws Exception {
        Path model = Files.writeString(tmp.resolve("model.txt"), "weights");
        Path image = Files.writeString(tmp.resolve("cat.png"), "not really a png");
        Path dir = tmp.resolve("ckpt");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("sub/b.txt"), "b");
        String runId;
        try (Run run = labbook.experiment("mnist").startRun("r1")) {
            runId = run.id();
            run.logParam("lr", 0.1);
            run.logParams(Map.of("epochs", 10, "opt", "adam", "amp", true));
            run.setTags(Map.of("team", "vision"));
            run.setTag("stage", "dev");
            run.setDescription("first try");
            for (int i = 0; i < 5; i++) {
                run.logMetric("loss", 1.0 / (i + 1));
            }
            run.logMetric("acc", 0.5, 10);
            run.logMetric("acc", 0.6, 20, 1234);
            run.logMetric("acc", 0.7); // automatic step continues after 20
            run.logMetrics(Map.of("x", 1, "y", 2.5), 3);
            run.logMetric("nan", Double.NaN);
            run.logList("losses", List.of(0.3, 0.2, 0.1));
            run.logRow("per_class", Map.of("class", "cat", "precision", 0.91));
            run.logRow("per_class", Map.of("class", "dog", "precision", 0.88));
            Map<String, List<?>> cols = new LinkedHashMap<>();
            cols.put("epoch", List.of(1, 2));
            cols.put("note", List.of("a", "b"));
            run.logTable("summary", cols);
            run.log("hello");
            run.log("careful", LogLevel.WARNING);
            run.logFile(model, "outputs/model.txt", Direction.OUTPUT);
            run.uploadFile("outputs/copy.txt", model);
            run.uploadDirectory("ckpt", dir);
            run.logImage("samples", image, 7);
            run.logImage("hero", image);
            run.logArtifact("dataset", "s3://bucket/train.csv", Direction.INPUT);
            assertThat(run.flush()).isTrue();

            Map<String, Object> metrics = run.getMetrics();
            assertThat(metrics).containsEntry("loss", 0.2).containsEntry("acc", 0.7).containsEntry("x", 1.0)
                    .containsEntry("y", 2.5).containsEntry("losses", List.of(0.3, 0.2, 0.1));
            assertThat((Double) metrics.get("nan")).isNaN();
            assertThat(metrics.get("per_class")).isEqualTo(Map.of("class", List.of("cat", "dog"),
                    "precision", List.of(0.91, 0.88)));
            assertThat(metrics.get("summary")).isEqualTo(Map.of("epoch", List.of(1.0, 2.0), "note", List.of("a", "b")));
            MetricSeries loss = run.getMetricHistory("loss");
            assertThat(loss.steps()).containsExactly(0, 1, 2, 3, 4);
            MetricSeries acc = run.getMetricHistory("acc");
            assertThat(acc.steps()).containsExactly(10, 20, 21);
            assertThat(acc.timestampsMs()[1]).isEqualTo(1234);
            assertThat(run.getParams()).containsEntry("lr", 0.1).containsEntry("epochs", 10L)
                    .containsEntry("opt", "adam").containsEntry("amp", true);
            assertThat(run.getTags()).containsEntry("team", "vision").containsEntry("stage", "dev");
            assertThat(run.info().description()).isEqualTo("first try");
            assertThat(run.getFileNames()).containsExactly("ckpt/a.txt", "ckpt/sub/b.txt", "dataset", "hero.png",
                    "outputs/copy.txt", "outputs/model.txt", "samples/step-7.png");
            Path back = tmp.resolve("back/model.txt");
            run.download("outputs/model.txt", back);
            assertThat(Files.readString(back)).isEqualTo("weights");
            LabbookClient c = run.client();
            assertThat(c.artifacts().get(run.id(), "samples/step-7.png").step()).isEqualTo(7L);
            assertThat(c.artifacts().get(run.id(), "dataset").direction()).isEqualTo(Direction.INPUT);
            assertThat(c.logs().read(run.id(), 0, 0, null)).extracting(LogLine::text).containsExactly("hello", "careful");
        }
        assertThat(labbook.client().runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void flushReturnsWhileAnotherThreadKeepsLoggingText() throws Exception {
        try (Run run = labbook.experiment("e").startRun("chatty")) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread chatter = new Thread(() -> {
                while (!stop.get()) {
                    run.log("tick");
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            chatter.start();
            try {
                Thread.sleep(300);
                run.logMetric("loss", 1.0, 0);
                long start = System.nanoTime();
                assertThat(run.flush(10_000)).as("flush waits only for what was queued before it").isTrue();
                assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(2));
                assertThat(labbook.client().metrics().history(run.id(), "loss").size()).isEqualTo(1);
            } finally {
                stop.set(true);
                chatter.join();
            }
        }
    }

    @Test
    void executeMarksFailedAndLogsTheError() {
        Run run = labbook.experiment("e").startRun("boom");
        assertThatThrownBy(() -> run.execute(r -> {
            r.logMetric("loss", 1);
            throw new IllegalStateException("diverged");
        })).hasMessage("diverged");
        run.close();
        assertThat(labbook.client().runs().get(run.id()).status()).isEqualTo(RunStatus.FAILED);
        assertThat(labbook.client().logs().read(run.id(), 0, 0, LogLevel.ERROR).get(0).text()).contains("diverged");
        assertThat(labbook.client().metrics().history(run.id(), "loss").size()).isEqualTo(1);
    }

    @Test
    void linesLongerThanTheServerLimitAreSplitAndNothingElseIsLost() {
        String euro = "\u20ac".repeat(50_000); // 150,000 UTF-8 bytes, 50,000 chars
        String runId;
        try (Run run = labbook.experiment("e").startRun("long-lines")) {
            runId = run.id();
            run.log("before");
            run.log(euro);
            run.log("with\0nul");
            run.log("after");
            run.fail(new IllegalStateException("\u00e9".repeat(40_000))); // a trace over 64 KiB in under 60,000 chars
        }
        List<LogLine> lines = labbook.client().logs().read(runId, 0, 0, null);
        assertThat(lines.get(0).text()).isEqualTo("before");
        assertThat(lines).allSatisfy(l -> assertThat(l.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(64 * 1024));
        StringBuilder joined = new StringBuilder();
        int i = 1;
        for (; !lines.get(i).text().startsWith("with"); i++) {
            joined.append(lines.get(i).text());
        }
        assertThat(joined.toString()).isEqualTo(euro);
        assertThat(lines.get(i).text()).isEqualTo("with\ufffdnul");
        assertThat(lines.get(i + 1).text()).isEqualTo("after");
        List<LogLine> trace = lines.subList(i + 2, lines.size());
        assertThat(trace).hasSizeGreaterThan(1).allSatisfy(l -> assertThat(l.level()).isEqualTo(LogLevel.ERROR));
        assertThat(trace.get(0).text()).startsWith("java.lang.IllegalStateException: \u00e9");
        assertThat(labbook.client().runs().get(runId).status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void explicitStatusesAndAttachedRunsKeepTheirOwner() {
        Run cancelled = labbook.experiment("e").startRun("c");
        cancelled.cancel();
        cancelled.close();
        assertThat(labbook.client().runs().get(cancelled.id()).status()).isEqualTo(RunStatus.CANCELED);

        RunInfo owned = labbook.client().runs().open(NewRun.in("e").withName("owned-elsewhere")).run();
        try (Run attached = labbook.attach(owned.id())) {
            attached.logMetric("m", 1);
        }
        RunInfo after = labbook.client().runs().get(owned.id());
        assertThat(after.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(labbook.client().metrics().list(owned.id())).hasSize(1);
        assertThatThrownBy(() -> labbook.attach(java.util.UUID.randomUUID().toString()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void theResumePolicyDecidesWhatAnExistingNameDoes() {
        try (Run first = labbook.experiment("policy").startRun("nightly", Resume.NEVER)) {
            first.logMetric("loss", 1);
        }
        assertThatThrownBy(() -> labbook.experiment("policy").startRun("nightly", Resume.NEVER))
                .isInstanceOfSatisfying(AlreadyExistsException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.RUN_ALREADY_EXISTS));
        assertThatThrownBy(() -> labbook.experiment("policy").startRun("other", Resume.MUST))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.RUN_NOT_FOUND));
        try (Run again = labbook.experiment("policy").startRun("nightly", Resume.MUST)) {
            again.logMetric("loss", 2);
        }
        assertThat(labbook.experiment("policy").runs()).hasSize(1);
    }

    @Test
    void loadRunFindsAnExistingRunAndATypoCreatesNothing() {
        try (Run owner = labbook.experiment("loadable").startRun("trained")) {
            owner.logMetric("loss", 1);
        }
        try (Run loaded = labbook.experiment("loadable").loadRun("TRAINED")) {
            assertThat(loaded.getMetricHistory("loss").steps()).containsExactly(0L);
        }
        assertThat(labbook.client().runs().getByName("", "loadable", "trained").status())
                .isEqualTo(RunStatus.COMPLETED); // attached: its owner's status stays
        assertThatThrownBy(() -> labbook.experiment("loadable").loadRun("trainde"))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.RUN_NOT_FOUND));
        assertThatThrownBy(() -> labbook.experiment("loadabel").loadRun("trained"))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.EXPERIMENT_NOT_FOUND));
        assertThat(labbook.client().experiments().listAll("default")).extracting(ExperimentInfo::name)
                .contains("loadable").doesNotContain("loadabel");
        assertThat(labbook.experiment("loadable").runs()).extracting(RunInfo::name).containsExactly("trained");
    }

    @Test
    void explicitStepsRepeatingAResumedRunsStepsWarnOncePerKeyAndKeepBoth() {
        try (Run first = labbook.experiment("rerun").startRun("script")) {
            for (int step = 0; step < 3; step++) {
                first.logMetric("loss", step, step, System.currentTimeMillis());
            }
        }
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger sdkLog = java.util.logging.Logger.getLogger("dev.labbook.sdk");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel() == java.util.logging.Level.WARNING) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        sdkLog.addHandler(handler);
        try (Run again = labbook.experiment("rerun").startRun("script")) {
            for (int step = 0; step < 3; step++) { // the script run again from the top
                again.logMetric("loss", 10 + step, step, System.currentTimeMillis());
            }
            again.logMetric("acc", 1, 0, System.currentTimeMillis()); // a new key: nothing repeated
            again.logMetric("loss", 13, 3, System.currentTimeMillis()); // after the stored steps: fine
            again.flush(30_000);
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("'loss'", "up to 2", "step 0", "Both points are kept");
            // both kept: two points at each of steps 0..2, then step 3
            assertThat(again.getMetricHistory("loss").steps()).containsExactly(0L, 0L, 1L, 1L, 2L, 2L, 3L);
        } finally {
            sdkLog.removeHandler(handler);
        }
    }

    @Test
    void resumingContinuesAutomaticSteps() {
        try (Run run = labbook.experiment("e").startRun("again")) {
            run.logMetric("loss", 1);
            run.logMetric("loss", 2);
        }
        try (Run run = labbook.experiment("e").startRun("again")) {
            run.logMetric("loss", 3);
            assertThat(run.getMetricHistory("loss").steps()).containsExactly(0, 1, 2);
        }
    }

    @Test
    void experimentSearchAndBestRun() {
        Experiment exp = labbook.experiment("search");
        for (double lr : new double[] {0.1, 0.01, 0.001}) {
            try (Run run = exp.startRun("lr-" + lr, Map.of("lr", lr))) {
                run.logMetric("val_loss", lr * 10);
            }
        }
        assertThat(exp.searchRuns("params.lr < 0.05", "params.lr ASC")).extracting(RunInfo::name)
                .containsExactly("lr-0.001", "lr-0.01");
        assertThat(exp.bestRun("metrics.val_loss ASC").name()).isEqualTo("lr-0.001");
        assertThat(exp.runs()).hasSize(3);
        assertThat(exp.info().name()).isEqualTo("search");
    }

    @Test
    void aRunDeletedUnderneathDoesNotStallLogging() {
        Run run = labbook.experiment("e").startRun("deleted");
        run.logMetric("x", 1);
        assertThat(run.flush()).isTrue();
        labbook.client().runs().delete(run.id());
        long t0 = System.nanoTime();
        for (int i = 0; i < 120_000; i++) {
            run.logMetric("x", i);
        }
        run.logParam("late", 1);
        assertThat(run.flush(30_000)).as("refused batches are dropped, not retried forever").isTrue();
        run.close();
        assertThat(System.nanoTime() - t0).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
        assertThat(labbook.client().metrics().list(run.id())).extracting(MetricSummary::count).containsExactly(1L);
    }

    @Test
    void loggingAfterCloseIsIgnored() {
        Run run = labbook.experiment("e").startRun("closed");
        run.close();
        run.logMetric("late", 1);
        run.log("late");
        run.close();
        assertThat(labbook.client().metrics().list(run.id())).isEmpty();
        assertThat(labbook.client().logs().read(run.id(), 0, 0, null)).isEmpty();
    }

    @Test
    void badMetricKeysAreRefusedAtOnce() {
        try (Run run = labbook.experiment("e").startRun("keys")) {
            assertThatThrownBy(() -> run.logMetric("bad\nkey", 1)).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void eightThreadsLogConcurrentlyAndNothingIsLost() throws Exception {
        int threads = 8;
        int perThread = 100_000;
        String runId;
        try (Run run = labbook.experiment("e").startRun("threads")) {
            runId = run.id();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "t" + t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        run.logMetric(key, i);
                        run.logMetric("shared", i);
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
        }
        LabbookClient c = labbook.client();
        for (int t = 0; t < threads; t++) {
            MetricSeries s = c.metrics().history(runId, "t" + t);
            assertThat(s.size()).isEqualTo(perThread);
            for (int i = 0; i < perThread; i++) {
                assertThat(s.steps()[i]).isEqualTo(i);
                assertThat(s.values()[i]).isEqualTo(i);
            }
        }
        MetricSeries shared = c.metrics().history(runId, "shared");
        assertThat(shared.size()).isEqualTo(threads * perThread);
        // automatic steps of a shared key are handed out once each
        for (int i = 0; i < shared.size(); i++) {
            assertThat(shared.steps()[i]).isEqualTo(i);
        }
    }
}
