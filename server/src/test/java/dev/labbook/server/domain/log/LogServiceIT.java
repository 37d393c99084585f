package dev.labbook.server.domain.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.store.postgres.PostgresChangeFeed;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.RunLifecycle;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LogService against the real database of the shared test server (runs are made and finished
 * through its RunService over gRPC): appends, reads, concurrency and following.
 */
@ExtendWith(LabbookServerExtension.class)
class LogServiceIT {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestServer server;
    private PostgresDatabase database;
    private LogService logs;

    @BeforeEach
    void open(TestServer server) {
        this.server = server;
        database = PostgresDatabase.open(server.database(), 8);
        logs = new LogService(database.trackingStore(), Clock.systemUTC(), POLL, 2);
    }

    @AfterEach
    void close() {
        logs.close();
        database.close();
    }

    private Run newRun() {
        return server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setExperimentName("logs")
                .setName("r-" + UUID.randomUUID()).build()).getRun();
    }

    private UUID run() {
        return UUID.fromString(newRun().getId());
    }

    private void finish(UUID run, RunStatus status) {
        RunLifecycle.finish(server, run.toString(), status);
    }

    private static NewLogLine line(String text) {
        return new NewLogLine(0, null, null, text);
    }

    private static List<NewLogLine> lines(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> line(prefix + i)).toList();
    }

    @Test
    void appendsGetDenseOffsetsInArrivalOrderAndKeepLevelStreamAndTime() {
        UUID run = run();
        long before = System.currentTimeMillis();
        AppendedLines first = logs.append(run, List.of(
                new NewLogLine(0, null, null, "defaults"),
                new NewLogLine(1_700_000_000_123L, LogLevel.ERROR, LogStream.STDERR, "boom"),
                new NewLogLine(5, LogLevel.DEBUG, LogStream.STDOUT, "")));
        long after = System.currentTimeMillis();
        AppendedLines second = logs.append(run, List.of(new NewLogLine(7, LogLevel.WARNING, LogStream.USER,
                "ünïcödé ✓ tabs\tand trailing spaces  ")));

        assertThat(first).isEqualTo(new AppendedLines(0, 3));
        assertThat(second).isEqualTo(new AppendedLines(3, 1));
        LogPage page = logs.read(run, 0, 0, null);
        assertThat(page.lines()).extracting(LogLine::offset).containsExactly(0L, 1L, 2L, 3L);
        LogLine defaults = page.lines().get(0);
        assertThat(defaults.level()).isEqualTo(LogLevel.INFO);
        assertThat(defaults.stream()).isEqualTo(LogStream.USER);
        assertThat(defaults.timestampMs()).isBetween(before, after);
        assertThat(page.lines().get(1)).isEqualTo(new LogLine(1, 1_700_000_000_123L, LogLevel.ERROR,
                LogStream.STDERR, "boom"));
        assertThat(page.lines().get(2)).isEqualTo(new LogLine(2, 5, LogLevel.DEBUG, LogStream.STDOUT, ""));
        assertThat(page.lines().get(3).text()).isEqualTo("ünïcödé ✓ tabs\tand trailing spaces  ");
        assertThat(page.endOffset()).isEqualTo(4);
        assertThat(page.atEnd()).isTrue();
        assertThat(page.runClosed()).isFalse();
    }

    @Test
    void readsPagesFromAnOffsetAndFiltersByLevel() {
        UUID run = run();
        LogLevel[] levels = LogLevel.values();
        List<NewLogLine> batch = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            batch.add(new NewLogLine(1000 + i, levels[i % 4], LogStream.STDOUT, "line " + i));
        }
        logs.append(run, batch);

        LogPage page = logs.read(run, 100, 10, null);
        assertThat(page.lines()).extracting(LogLine::offset).containsExactlyElementsOf(
                IntStream.range(100, 110).mapToObj(i -> (long) i).toList());
        assertThat(page.nextOffset()).isEqualTo(110);
        assertThat(page.atEnd()).isFalse();
        assertThat(logs.read(run, 0, 0, null).lines()).hasSize(LogLimits.PAGE_LINES);
        assertThat(logs.read(run, 2400, 5000, null).lines()).hasSize(100);
        LogPage past = logs.read(run, 9999, 0, null);
        assertThat(past.lines()).isEmpty();
        assertThat(past.atEnd()).isTrue();

        LogPage warnings = logs.read(run, 0, 0, LogLevel.WARNING);
        assertThat(warnings.lines()).hasSize(LogLimits.PAGE_LINES);
        assertThat(warnings.lines()).allSatisfy(l -> assertThat(l.level()).isIn(LogLevel.WARNING, LogLevel.ERROR));
        assertThat(warnings.lines().get(0).offset()).isEqualTo(2);
        List<LogLine> errors = drain(run, 0, 0, LogLevel.ERROR);
        assertThat(errors).hasSize(625).allSatisfy(l -> assertThat(l.level()).isEqualTo(LogLevel.ERROR));
        assertThat(errors).extracting(LogLine::offset).isSorted();
        assertThat(drain(run, 0, 0, LogLevel.DEBUG)).hasSize(2500);
    }

    /** Reads with a (non-following) subscription until it ends. */
    private List<LogLine> drain(UUID run, long start, long limit, LogLevel minLevel) {
        CollectingSink sink = new CollectingSink();
        logs.open(new LogQuery(run, start, limit, minLevel, false), sink).start();
        sink.ended.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(sink.overlapped).isFalse();
        return List.copyOf(sink.lines);
    }

    @Test
    void aRareLevelInALongLogIsFoundAcrossScanWindows() {
        UUID run = run();
        int total = LogLimits.FILTER_SCAN_WINDOW * 2 + 500;
        for (int from = 0; from < total; from += LogLimits.MAX_LINES_PER_APPEND) {
            List<NewLogLine> batch = new ArrayList<>();
            for (int i = from; i < Math.min(total, from + LogLimits.MAX_LINES_PER_APPEND); i++) {
                batch.add(new NewLogLine(1, i % 9_000 == 17 ? LogLevel.ERROR : LogLevel.INFO, null, "l" + i));
            }
            logs.append(run, batch);
        }
        // A single read stops at the scan window; the stream continues past it.
        LogPage first = logs.read(run, 0, 0, LogLevel.ERROR);
        assertThat(first.nextOffset()).isLessThanOrEqualTo(LogLimits.FILTER_SCAN_WINDOW);
        List<LogLine> errors = drain(run, 0, 0, LogLevel.ERROR);
        assertThat(errors).extracting(LogLine::text).containsExactly("l17", "l9017", "l18017", "l27017", "l36017");
        assertThat(drain(run, 9_000, 2, LogLevel.ERROR)).extracting(LogLine::text).containsExactly("l9017", "l18017");
        assertThat(drain(run, 0, 0, null)).hasSize(total);
    }

    @Test
    void concurrentAppendersGetDenseUniqueOffsetsAndKeepTheirOwnOrder() throws Exception {
        UUID run = run();
        int writers = 8;
        int messages = 40;
        int perMessage = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int m = 0; m < messages; m++) {
                        logs.append(run, lines("w" + writer + "-" + (m * perMessage) + "+", perMessage));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<LogLine> all = drain(run, 0, 0, null);
        int total = writers * messages * perMessage;
        assertThat(all).hasSize(total);
        assertThat(all).extracting(LogLine::offset).containsExactlyElementsOf(
                IntStream.range(0, total).mapToObj(i -> (long) i).toList());
        // Each message is contiguous, and each writer's lines keep its order.
        Map<String, Integer> lastSeen = new HashMap<>();
        for (int i = 0; i < total; i += perMessage) {
            String text = all.get(i).text();
            String writer = text.substring(0, text.indexOf('-'));
            int base = Integer.parseInt(text.substring(text.indexOf('-') + 1, text.indexOf('+')));
            for (int j = 0; j < perMessage; j++) {
                assertThat(all.get(i + j).text()).isEqualTo(writer + "-" + base + "+" + j);
            }
            assertThat(base).isGreaterThan(lastSeen.getOrDefault(writer, -1));
            lastSeen.put(writer, base);
        }
        assertThat(logs.read(run, 0, 1, null).endOffset()).isEqualTo(total);
    }

    @Test
    void followDeliversExistingThenLiveLinesAndEndsWhenTheRunCompletes() throws Exception {
        UUID run = run();
        logs.append(run, lines("old", 3));
        CollectingSink sink = new CollectingSink();
        LogSubscription follow = logs.open(new LogQuery(run, 1, 0, null, true), sink);
        follow.start();
        sink.awaitLines(2, WAIT);
        assertThat(sink.texts()).containsExactly("old1", "old2");

        logs.append(run, lines("new", 2));
        sink.awaitLines(4, WAIT);
        assertThat(sink.ended).isNotDone();
        assertThat(logs.openSubscriptions()).isEqualTo(1);

        logs.append(run, lines("last", 1));
        finish(run, RunStatus.RUN_STATUS_COMPLETED);
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.texts()).containsExactly("old1", "old2", "new0", "new1", "last0");
        assertThat(sink.lines).extracting(LogLine::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(logs.openSubscriptions()).isZero();
        assertThat(sink.overlapped).isFalse();
        assertThat(sink.calledAfterEnd).isFalse();
    }

    @Test
    void followOfAFinishedRunDeliversEverythingAndEnds() throws Exception {
        UUID run = run();
        logs.append(run, lines("x", 2500));
        finish(run, RunStatus.RUN_STATUS_FAILED);
        CollectingSink sink = new CollectingSink();
        logs.open(new LogQuery(run, 0, 0, LogLevel.INFO, true), sink).start();
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.lines).hasSize(2500);
        assertThat(sink.pages.get()).isEqualTo(3);
    }

    @Test
    void followSeesAppendsMadeThroughAnotherReplicaByPolling() throws Exception {
        UUID run = run();
        try (LogService otherReplica = new LogService(database.trackingStore(), Clock.systemUTC(), POLL, 1)) {
            CollectingSink sink = new CollectingSink();
            logs.open(new LogQuery(run, 0, 0, null, true), sink).start();
            // Several rounds, spaced over several poll intervals: every poll schedules the next.
            for (int round = 0; round < 4; round++) {
                Thread.sleep(POLL.toMillis() * 3 / 2);
                otherReplica.append(run, lines("elsewhere" + round + "-", 2));
                sink.awaitLines(2 * (round + 1), WAIT);
            }
            assertThat(sink.lines).extracting(LogLine::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            finish(run, RunStatus.RUN_STATUS_CANCELED);
            sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void followIsWokenByTheChangeFeedForAppendsAndTheFinishThroughAnotherReplica() throws Exception {
        UUID run = run();
        // This replica's poll is a minute away: only the feed can deliver within a second.
        try (PostgresChangeFeed feed = PostgresChangeFeed.start(server.database());
                LogService replica = new LogService(database.trackingStore(), Clock.systemUTC(), Duration.ofMinutes(1),
                        1, feed)) {
            assertThat(feed.awaitListening(WAIT)).isTrue();
            CollectingSink sink = new CollectingSink();
            replica.open(new LogQuery(run, 0, 0, null, true), sink).start();
            for (int round = 0; round < 3; round++) {
                Thread.sleep(200); // caught up and waiting
                long sent = System.nanoTime();
                logs.append(run, lines("elsewhere" + round + "-", 2)); // `logs` is the other replica
                sink.awaitLines(2 * (round + 1), WAIT);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isLessThan(1_000);
            }
            long finishing = System.nanoTime();
            finish(run, RunStatus.RUN_STATUS_COMPLETED);
            sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - finishing)).isLessThan(1_000);
            assertThat(sink.lines).extracting(LogLine::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void followWithALimitEndsAfterThatManyLines() throws Exception {
        UUID run = run();
        logs.append(run, lines("a", 2));
        CollectingSink sink = new CollectingSink();
        logs.open(new LogQuery(run, 0, 5, null, true), sink).start();
        sink.awaitLines(2, WAIT);
        logs.append(run, lines("b", 10));
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.texts()).containsExactly("a0", "a1", "b0", "b1", "b2");
    }

    @Test
    void cancelStopsAFollowerAndReleasesIt() throws Exception {
        UUID run = run();
        CollectingSink sink = new CollectingSink();
        LogSubscription follow = logs.open(new LogQuery(run, 0, 0, null, true), sink);
        follow.start();
        logs.append(run, lines("before", 1));
        sink.awaitLines(1, WAIT);
        follow.cancel();
        assertThat(logs.openSubscriptions()).isZero();
        logs.append(run, lines("after", 5));
        Thread.sleep(POLL.toMillis() * 3);
        assertThat(sink.texts()).containsExactly("before0");
        assertThat(sink.ended).isNotDone();
    }

    @Test
    void aSinkThatIsNotReadyIsNotSentToUntilWoken() throws Exception {
        UUID run = run();
        logs.append(run, lines("q", 3000));
        finish(run, RunStatus.RUN_STATUS_COMPLETED);
        CollectingSink sink = new CollectingSink();
        sink.ready = false;
        LogSubscription read = logs.open(new LogQuery(run, 0, 0, null, true), sink);
        read.start();
        Thread.sleep(POLL.toMillis() * 3);
        assertThat(sink.lines).isEmpty();
        sink.ready = true;
        read.wake();
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.lines).hasSize(3000);
    }

    @Test
    void aReadWithoutFollowEndsAtTheLogEndAsOfItsStart() throws Exception {
        UUID run = run();
        logs.append(run, lines("n", 10));
        CollectingSink sink = new CollectingSink();
        sink.ready = false;
        LogSubscription read = logs.open(new LogQuery(run, 0, 0, null, false), sink);
        read.start();
        logs.append(run, lines("later", 10));
        sink.ready = true;
        read.wake();
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.lines).hasSize(10);
        CollectingSink empty = new CollectingSink();
        logs.open(new LogQuery(run(), 0, 0, null, false), empty).start();
        empty.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(empty.lines).isEmpty();
    }

    @Test
    void closingTheServiceEndsFollowersWithUnavailable() throws Exception {
        UUID run = run();
        CollectingSink sink = new CollectingSink();
        logs.open(new LogQuery(run, 0, 0, null, true), sink).start();
        logs.append(run, lines("x", 1));
        sink.awaitLines(1, WAIT);
        logs.close();
        assertThatThrownBy(() -> sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UnavailableException.class).hasMessageContaining("offset 1");
        assertThatThrownBy(() -> logs.open(new LogQuery(run, 0, 0, null, true), new CollectingSink()))
                .isInstanceOf(UnavailableException.class);
    }

    @Test
    void followEndsWhenTheRunIsDeletedAndFailsWhenItIsPurged() throws Exception {
        UUID run = run();
        CollectingSink sink = new CollectingSink();
        logs.open(new LogQuery(run, 0, 0, null, true), sink).start();
        Thread.sleep(POLL.toMillis());
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.toString()).build());
        sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        UUID other = run();
        CollectingSink purged = new CollectingSink();
        logs.open(new LogQuery(other, 0, 0, null, true), purged).start();
        Thread.sleep(POLL.toMillis());
        try (var c = server.jdbc(); var s = c.createStatement()) {
            s.execute("DELETE FROM run WHERE id = '" + other + "'");
        }
        assertThatThrownBy(() -> purged.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOf(NotFoundException.class);
    }

    @Test
    void rejectsBadLinesNamingTheField() {
        UUID run = run();
        List<NewLogLine> oversized = new ArrayList<>(lines("ok", 3));
        oversized.add(line("é".repeat(LogLimits.MAX_LINE_BYTES / 2 + 1)));
        assertThatThrownBy(() -> logs.append(run, oversized)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("lines[3].text: is 65538 bytes");
        assertThat(logs.append(run, List.of(line("x".repeat(LogLimits.MAX_LINE_BYTES)))).count()).isEqualTo(1);
        assertThatThrownBy(() -> logs.append(run, List.of(line("ok"), line("nul\0here"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("lines[1].text:");
        assertThatThrownBy(() -> logs.append(run, List.of(new NewLogLine(-1, null, null, "t"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("lines[0].timestamp_ms:");
        assertThatThrownBy(() -> logs.append(run, lines("many", LogLimits.MAX_LINES_PER_APPEND + 1)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("lines: has 10001 lines");
        assertThat(logs.append(run, lines("max", LogLimits.MAX_LINES_PER_APPEND)).count()).isEqualTo(10_000);
        // Nothing of a refused message was stored.
        assertThat(logs.read(run, 0, 1, null).endOffset()).isEqualTo(10_001);
        assertThatThrownBy(() -> logs.read(run, -1, 0, null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("start_offset:");
        assertThatThrownBy(() -> logs.open(new LogQuery(run, 0, -1, null, true), new CollectingSink()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("limit:");
    }

    @Test
    void unknownRunsAreNotFoundAndDeletedOnesRefuseAppends() {
        UUID unknown = UUID.randomUUID();
        assertThatThrownBy(() -> logs.append(unknown, lines("x", 1))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> logs.append(unknown, List.of())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> logs.read(unknown, 0, 0, null)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> logs.open(new LogQuery(unknown, 0, 0, null, true), new CollectingSink()))
                .isInstanceOf(NotFoundException.class);

        Run deleted = newRun();
        UUID deletedId = UUID.fromString(deleted.getId());
        logs.append(deletedId, lines("kept", 2));
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(deleted.getId()).build());
        assertThatThrownBy(() -> logs.append(deletedId, lines("x", 1)))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("is deleted");
        // The lines of a deleted run can still be read (it can be restored).
        assertThat(logs.read(deletedId, 0, 0, null).lines()).hasSize(2);

        Run inDeletedExperiment = server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("doomed-" + UUID.randomUUID()).setName("r").build()).getRun();
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder()
                .setExperimentId(inDeletedExperiment.getExperimentId()).build());
        assertThatThrownBy(() -> logs.append(UUID.fromString(inDeletedExperiment.getId()), lines("x", 1)))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("experiment");
    }

    @Test
    void appendsToAFinishedRunAreKept() {
        UUID run = run();
        finish(run, RunStatus.RUN_STATUS_COMPLETED);
        logs.append(run, lines("late", 2));
        assertThat(logs.read(run, 0, 0, null).lines()).hasSize(2);
        assertThat(logs.read(run, 0, 0, null).runClosed()).isTrue();
    }

    @Test
    void manyFollowersOfManyRunsAllFinish() throws Exception {
        List<UUID> runs = new ArrayList<>();
        List<CollectingSink> sinks = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            UUID run = run();
            runs.add(run);
            for (int f = 0; f < 4; f++) {
                CollectingSink sink = new CollectingSink();
                logs.open(new LogQuery(run, 0, 0, null, true), sink).start();
                sinks.add(sink);
            }
        }
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (UUID run : runs) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 20; i++) {
                    logs.append(run, lines("m" + i + "-", 5));
                }
                finish(run, RunStatus.RUN_STATUS_COMPLETED);
            }));
        }
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (CollectingSink sink : sinks) {
            sink.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(sink.lines).hasSize(100);
            assertThat(sink.lines).extracting(LogLine::offset).isSorted().doesNotHaveDuplicates();
        }
        assertThat(logs.openSubscriptions()).isZero();
    }

    @Test
    void appendsOnThisServerWakeFollowersWithoutWaitingForAPoll() throws Exception {
        UUID run = run();
        try (LogService slowPolling = new LogService(database.trackingStore(), Clock.systemUTC(),
                Duration.ofMinutes(10), 1)) {
            CollectingSink sink = new CollectingSink();
            LogSubscription follow = slowPolling.open(new LogQuery(run, 0, 0, null, true), sink);
            follow.start();
            Thread.sleep(100);
            for (int i = 0; i < 3; i++) {
                slowPolling.append(run, lines("live" + i + "-", 2));
                sink.awaitLines(2 * (i + 1), Duration.ofSeconds(5));
            }
            assertThat(sink.lines).extracting(LogLine::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            follow.cancel();
        }
    }
}
