package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
            }
            assertThat(batchFiles(tmp.resolve("spool"))).isZero();
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
                run.setTag("never", "sent"); // queued in memory; lost at close, says docs/java-sdk.md
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
            }
            assertThat(batchFiles(tmp.resolve("spool"))).isZero();
        }
    }

    private static long batchFiles(Path spool) throws IOException {
        if (!Files.exists(spool)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(p -> p.toString().endsWith(".batch")).count();
        }
    }
}
