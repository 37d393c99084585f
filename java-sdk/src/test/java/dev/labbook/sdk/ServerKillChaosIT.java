package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.internal.OnlineSink;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos: the packaged server, as a process of its own, is killed with SIGKILL three times while
 * one SDK writer streams points, and started again each time on the same database (and data
 * directory and port, as a restarted pod is). Whatever the kills cut (a stream mid-batch, a
 * transaction mid-commit, a response never sent, a compaction pass), every point must be stored
 * exactly once: none lost, none doubled, each with its own value. Compaction runs every second, so
 * kills also land during compaction.
 */
class ServerKillChaosIT {
    private static final int POINTS = 300_000;
    private static final int KILLS = 3;
    /** Points logged while the server is down, before it is started again. */
    private static final int LOGGED_WHILE_DOWN = 20_000;

    @TempDir
    Path tmp;

    @Test
    void everyPointStoredExactlyOnceAcrossThreeSigkills() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("sdk_chaos_kill");
        int port = ServerProcess.freePort();
        String[] args = {"--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password", db.password(),
            "--data-dir", tmp.resolve("data").toString(), "--metrics-port", "0", "--http-port", "0",
            "--compaction-interval", "1"};
        ServerProcess server = ServerProcess.start(tmp.resolve("logs"), port, args);
        long started = System.nanoTime();
        int kills = 0;
        long inFlightAtKills = 0;
        try {
            LabbookOptions options = LabbookOptions.defaults().withSpoolDir(tmp.resolve("spool"))
                    .withBatchPoints(2_000).withSpoolAfter(Duration.ofSeconds(60))
                    .withCloseTimeout(Duration.ofSeconds(120));
            String target = "127.0.0.1:" + port;
            String runId;
            long dropped;
            try (Labbook lb = Labbook.connect(target, options);
                    Run run = lb.experiment("chaos").startRun("sigkill")) {
                runId = run.id();
                OnlineSink sink = (OnlineSink) run.sink();
                for (int i = 0; i < POINTS; i++) {
                    run.logMetric("x", value(i));
                    if (kills < KILLS && i == (kills + 1) * POINTS / (KILLS + 1)) {
                        inFlightAtKills += sink.metricSender().batchesInMemory();
                        server.kill();
                        kills++;
                    }
                    if (i == kills * POINTS / (KILLS + 1) + LOGGED_WHILE_DOWN && !server.isAlive()) {
                        server = ServerProcess.start(tmp.resolve("logs"), port, args);
                    }
                }
                assertThat(run.flush(120_000)).as("all points delivered").isTrue();
                dropped = sink.metricSender().droppedBatches();
            }
            assertThat(kills).isEqualTo(KILLS);
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
            System.out.printf("chaos: points=%d kills=%d batches_in_flight_at_kills=%d seconds=%.1f%n", POINTS, kills,
                    inFlightAtKills, (System.nanoTime() - started) / 1e9);
        } finally {
            server.close();
        }
    }

    /** A value of its own for every step, so a point stored under another step shows. */
    private static double value(int i) {
        return i * 0.5 + 0.25;
    }
}
