package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.internal.MetricSender;
import dev.labbook.sdk.internal.OnlineSink;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos: the packaged server, as a process of its own, is killed with SIGKILL three times while
 * one SDK writer streams points, and started again each time on the same database (and data
 * directory and port, as a restarted pod is). A chaos thread kills whenever the server has
 * stored another quarter of the stream, so each kill lands while the writer's stream is being
 * stored (a batch mid-stream, a transaction mid-commit, a response never sent, a compaction
 * pass: compaction runs every second). The writer keeps logging through the outages. Every
 * point must be stored exactly once: none lost, none doubled, each with its own value.
 */
class ServerKillChaosIT {
    private static final int POINTS = 300_000;
    private static final int BATCH_POINTS = 2_000;
    private static final int KILLS = 3;
    /** Logging pace: about 30,000 points/s, so that the stream lasts through three restarts. */
    private static final int POINTS_PER_PAUSE = 1_500;

    @TempDir
    Path tmp;

    @Test
    void everyPointStoredExactlyOnceAcrossThreeSigkills() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("sdk_chaos_kill");
        int port = ServerProcess.freePort();
        String[] args = {"--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password(),
            "--data-dir", tmp.resolve("data").toString(), "--metrics-port", "0", "--http-port", "0",
            "--compaction-interval", "1"};
        String target = "127.0.0.1:" + port;
        ServerProcess[] server = {ServerProcess.start(tmp.resolve("logs"), port, args)};
        long started = System.nanoTime();
        List<String> kills = new ArrayList<>();
        try {
            LabbookOptions options = LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"))
                    .withBatchPoints(BATCH_POINTS).withSpoolAfter(Duration.ofSeconds(60))
                    .withCloseTimeout(Duration.ofSeconds(120));
            String runId;
            long dropped;
            try (Labbook lb = Labbook.connect(target, options);
                    Run run = lb.experiment("chaos").startRun("sigkill")) {
                runId = run.id();
                MetricSender sender = ((OnlineSink) run.sink()).metricSender();
                CompletableFuture<Void> chaos = CompletableFuture.runAsync(() -> killAtEachQuarter(server, port, args,
                        target, runId, sender, kills));
                for (int i = 0; i < POINTS; i++) {
                    run.logMetric("x", value(i));
                    if (i % POINTS_PER_PAUSE == 0) {
                        Thread.sleep(50);
                    }
                }
                chaos.get(120, TimeUnit.SECONDS);
                assertThat(run.flush(120_000)).as("all points delivered").isTrue();
                dropped = sender.droppedBatches();
            }
            assertThat(kills).hasSize(KILLS);
            assertThat(dropped).as("batches the SDK gave up on").isZero();
            try (LabbookClient c = LabbookClient.connect(target)) {
                MetricSeries s = c.metrics().history(runId, "x");
                assertThat(s.size()).as("points stored (duplicates would add, losses subtract)").isEqualTo(POINTS);
                for (int i = 0; i < POINTS; i++) {
                    if (s.steps()[i] != i || s.values()[i] != value(i)) {
                        throw new AssertionError("point " + i + " is step " + s.steps()[i] + " value " + s.values()[i]);
                    }
                }
                assertThat(c.runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
            }
            System.out.printf("chaos: points=%d kills=%d seconds=%.1f %s%n", POINTS, kills.size(),
                    (System.nanoTime() - started) / 1e9, kills);
        } finally {
            server[0].close();
        }
    }

    /**
     * Waits until the server has stored the k-th quarter of the stream (the writer's committed
     * sequence, read over a connection of its own), kills it, and starts it again a second later.
     */
    private void killAtEachQuarter(ServerProcess[] server, int port, String[] args, String target, String runId,
            MetricSender sender, List<String> kills) {
        long batches = POINTS / BATCH_POINTS;
        try (LabbookClient watcher = LabbookClient.connect(target)) {
            for (int k = 1; k <= KILLS; k++) {
                long threshold = k * batches / (KILLS + 1);
                long committed = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (committed < threshold) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the server stored only " + committed + " batches before kill " + k);
                    }
                    try {
                        committed = watcher.metrics().writerState(runId, sender.writerId());
                    } catch (RuntimeException notYet) {
                        // the server is starting again
                    }
                    Thread.sleep(5);
                }
                long unconfirmed = sender.batchesInMemory();
                server[0].kill();
                kills.add("kill " + k + " at batch " + committed + " with " + unconfirmed + " unconfirmed");
                Thread.sleep(1_000);
                server[0] = ServerProcess.start(tmp.resolve("logs"), port, args);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value of its own for every step, so a point stored under another step shows. */
    private static double value(int i) {
        return i * 0.5 + 0.25;
    }
}
