package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.server.domain.log.LogLevel;
import dev.labbook.server.domain.log.LogLine;
import dev.labbook.server.domain.log.LogStream;
import dev.labbook.server.store.RunChangeFeed;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change feed on its own connection, as another replica's: it hears committed log appends
 * and run changes made through another pool, not rolled-back ones, and listens again after its
 * connection is killed.
 */
@ExtendWith(LabbookServerExtension.class)
class PostgresChangeFeedIT {
    private TestServer server;
    private PostgresDatabase writer;
    private PostgresChangeFeed feed;
    private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();

    @BeforeEach
    void open(TestServer server) throws Exception {
        this.server = server;
        writer = PostgresDatabase.open(server.database(), 2);
        feed = PostgresChangeFeed.start(server.database());
        feed.listen((runId, change) -> heard.add(change + " " + runId));
        assertThat(feed.awaitListening(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void close() {
        feed.close();
        writer.close();
    }

    private UUID run() {
        return UUID.fromString(server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("change-feed").setName("r-" + UUID.randomUUID()).build()).getRun().getId());
    }

    private void appendLine(UUID run, boolean commit) {
        writer.trackingStore().inTransaction(tx -> {
            long offset = tx.logs().reserveOffsets(run, 1);
            tx.logs().insertLines(run, List.of(new LogLine(offset, 1, LogLevel.INFO, LogStream.USER, "x")));
            if (!commit) {
                throw new IllegalStateException("roll back");
            }
            return null;
        });
    }

    /** The next notice for {@code run}, skipping other runs' (other tests share the database). */
    private String next(UUID run, long ms) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < deadline) {
            String notice = heard.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (notice != null && notice.endsWith(run.toString())) {
                return notice;
            }
        }
        return null;
    }

    @Test
    void hearsCommittedAppendsAndRunChangesMadeThroughAnotherPool() throws Exception {
        UUID run = run();
        heard.clear();
        appendLine(run, true);
        assertThat(next(run, 1_000)).isEqualTo(RunChangeFeed.Change.LOGS + " " + run);

        server.runs().updateRun(UpdateRunRequest.newBuilder().setRunId(run.toString()).setDescription("new")
                .setUpdateMask(FieldMask.newBuilder().addPaths("description")).build());
        assertThat(next(run, 1_000)).isEqualTo(RunChangeFeed.Change.RUN + " " + run);
    }

    @Test
    void aRolledBackAppendNotifiesNobody() throws Exception {
        UUID run = run();
        heard.clear();
        assertThatThrownBy(() -> appendLine(run, false)).hasMessage("roll back");
        assertThat(next(run, 500)).isNull();
    }

    @Test
    void listensAgainAfterItsConnectionIsKilled() throws Exception {
        UUID run = run();
        int pid = feed.backendPid();
        try (Connection c = server.jdbc(); PreparedStatement kill = c.prepareStatement(
                "SELECT pg_terminate_backend(?)")) {
            kill.setInt(1, pid);
            kill.execute();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (feed.connectionsOpened() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(feed.connectionsOpened()).isEqualTo(2);
        assertThat(feed.backendPid()).isNotEqualTo(pid);
        heard.clear();
        appendLine(run, true);
        assertThat(next(run, 1_000)).isEqualTo(RunChangeFeed.Change.LOGS + " " + run);
    }
}
