package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.metric.MetricCompactor;
import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.store.ExclusiveTasks;
import dev.labbook.server.store.ExclusiveTasks.Task;
import dev.labbook.server.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one database (two connection pools, as two processes have) never run one
 * background task at once: the second skips while the first holds the task's advisory lock and
 * runs once it is released; different tasks do not exclude each other.
 */
class PostgresExclusiveTasksIT {
    private static DatabaseEndpoint endpoint;
    private static PostgresDatabase serverA;
    private static PostgresDatabase serverB;

    @BeforeAll
    static void open() {
        endpoint = SharedPostgres.newDatabase("exclusive_tasks");
        serverA = PostgresDatabase.open(endpoint, 3);
        serverA.migrate();
        serverB = PostgresDatabase.open(endpoint, 3);
    }

    @AfterAll
    static void close() {
        serverA.close();
        serverB.close();
    }

    @Test
    void theSecondServerSkipsWhileTheFirstHoldsTheLockAndRunsAfter() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(
                () -> serverA.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, () -> {
                    holding.countDown();
                    await(release);
                }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicInteger ran = new AtomicInteger();
        ExclusiveTasks tasksB = serverB.exclusiveTasks();
        assertThat(tasksB.runExclusively(Task.ARTIFACT_GC, ran::incrementAndGet)).isFalse();
        // The same process asking again (another session) is refused too.
        assertThat(serverA.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, ran::incrementAndGet)).isFalse();
        assertThat(ran).hasValue(0);
        assertThat(advisoryLocksHeld()).isEqualTo(1);
        // Another task's lock is free.
        assertThat(tasksB.runExclusively(Task.METRIC_COMPACTION, ran::incrementAndGet)).isTrue();
        assertThat(ran).hasValue(1);

        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(tasksB.runExclusively(Task.ARTIFACT_GC, ran::incrementAndGet)).isTrue();
        assertThat(ran).hasValue(2);
        assertThat(advisoryLocksHeld()).isZero();
    }

    @Test
    void aFailingPassReleasesTheLock() throws Exception {
        assertThatThrownBy(() -> serverA.exclusiveTasks().runExclusively(Task.METRIC_COMPACTION, () -> {
            throw new IllegalStateException("pass failed");
        })).hasMessage("pass failed");
        assertThat(serverB.exclusiveTasks().runExclusively(Task.METRIC_COMPACTION, () -> { })).isTrue();
        assertThat(advisoryLocksHeld()).isZero();
    }

    @Test
    void aLockDiesWithTheSessionThatHeldIt() throws Exception {
        // A replica killed mid-pass: its connection closes, and with it the lock.
        try (Connection killed = IncrementalHousekeepingIT.connect(endpoint); Statement s = killed.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + PostgresExclusiveTasks.LOCK_CLASS + ", "
                    + PostgresExclusiveTasks.lockKey(Task.ARTIFACT_GC) + ")");
            assertThat(serverB.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, () -> { })).isFalse();
        }
        // The server ends the closed session (and drops its locks) a moment after the socket closes.
        boolean ran = false;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !ran && System.nanoTime() < deadline; ) {
            ran = serverB.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, () -> { });
            if (!ran) {
                Thread.sleep(20);
            }
        }
        assertThat(ran).isTrue();
    }

    @Test
    void compactionOnTheSecondServerWaitsForTheFirstsPass() throws Exception {
        UUID run;
        try (Connection sql = IncrementalHousekeepingIT.connect(endpoint)) {
            run = IncrementalHousekeepingIT.insertRun(sql);
        }
        var series = IncrementalHousekeepingIT.slowSeries(serverA.trackingStore(), run, "lock/", 1, 10);
        MetricCompactor compactorB = new MetricCompactor(serverB.trackingStore(), serverB.exclusiveTasks());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> passA = CompletableFuture.supplyAsync(
                () -> serverA.exclusiveTasks().runExclusively(Task.METRIC_COMPACTION, () -> {
                    holding.countDown();
                    await(release);
                }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

        compactorB.compactQuietly();
        assertThat(chunks(series.get(0))).as("B skipped its pass").isEqualTo(10);

        release.countDown();
        assertThat(passA.get(10, TimeUnit.SECONDS)).isTrue();
        compactorB.compactQuietly();
        assertThat(chunks(series.get(0))).as("B compacted after A's pass").isEqualTo(1);
    }

    @Test
    void theLockTakesNoConnectionFromThePool() throws Exception {
        // --db-pool-size 1: the pass's own transactions still get the pool's only connection.
        UUID run;
        try (Connection sql = IncrementalHousekeepingIT.connect(endpoint)) {
            run = IncrementalHousekeepingIT.insertRun(sql);
        }
        try (PostgresDatabase poolOfOne = PostgresDatabase.open(endpoint, 1, java.time.Duration.ofSeconds(2),
                PoolObserver.NONE)) {
            var series = IncrementalHousekeepingIT.slowSeries(poolOfOne.trackingStore(), run, "pool/", 1, 10);
            new MetricCompactor(poolOfOne.trackingStore(), poolOfOne.exclusiveTasks()).compactQuietly();
            assertThat(chunks(series.get(0))).isEqualTo(1);
        }
    }

    @Test
    void theNextPassStartsWhereTheLastOneOnAnyServerStopped() {
        assertThat(serverA.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, position -> "runs/a/b")).isTrue();
        AtomicInteger checked = new AtomicInteger();
        assertThat(serverB.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, position -> {
            assertThat(position).isEqualTo("runs/a/b");
            checked.incrementAndGet();
            return "runs/c/d";
        })).isTrue();
        // A failing pass leaves the position where it was.
        assertThatThrownBy(() -> serverA.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, position -> {
            throw new IllegalStateException("pass failed");
        })).hasMessage("pass failed");
        assertThat(serverA.exclusiveTasks().runExclusively(Task.ARTIFACT_GC, position -> {
            assertThat(position).isEqualTo("runs/c/d");
            checked.incrementAndGet();
            return null;
        })).isTrue();
        assertThat(checked).hasValue(2);
    }

    @Test
    void compactionOnTheSecondServerGoesOnFromTheFirstsCursor() throws Exception {
        UUID run;
        try (Connection sql = IncrementalHousekeepingIT.connect(endpoint)) {
            run = IncrementalHousekeepingIT.insertRun(sql);
        }
        var series = IncrementalHousekeepingIT.slowSeries(serverA.trackingStore(), run, "walk/", 3, 10);
        // One series a pass.
        new MetricCompactor(serverA.trackingStore(), serverA.exclusiveTasks(), 1, 10_000).compactQuietly();
        assertThat(chunks(series.get(0))).isEqualTo(1);
        // The first series gets new work behind the cursor: it waits for the next walk.
        serverA.trackingStore().inTransaction(tx -> {
            List<NewChunk> more = new ArrayList<>();
            for (int seq = 10; seq < 20; seq++) {
                more.add(IncrementalHousekeepingIT.onePoint(series.get(0), seq, seq, seq));
            }
            tx.metrics().insertChunks(more);
            return null;
        });
        new MetricCompactor(serverB.trackingStore(), serverB.exclusiveTasks(), 1, 10_000).compactQuietly();
        assertThat(chunks(series.get(0))).as("behind the shared cursor").isEqualTo(11);
        assertThat(chunks(series.get(1))).as("next after it").isEqualTo(1);
        assertThat(chunks(series.get(2))).isEqualTo(10);
    }

    private static long chunks(long series) throws SQLException {
        try (Connection c = IncrementalHousekeepingIT.connect(endpoint); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM metric_chunk WHERE series_id = " + series)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Labbook's advisory locks held now, by anyone. */
    private static long advisoryLocksHeld() throws SQLException {
        try (Connection c = IncrementalHousekeepingIT.connect(endpoint); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND classid = " + PostgresExclusiveTasks.LOCK_CLASS + " AND granted")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
