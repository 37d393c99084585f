package dev.labbook.server.store.postgres;

import dev.labbook.server.store.RunChangeFeed;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RunChangeFeed} of one server process: one thread on one connection of its own
 * (outside the pool, so a busy pool never delays it, and a pooled connection is never left
 * listening) that LISTENs on the channels {@link ChangeNotices} notifies and hands each run id to
 * the listeners. When the connection breaks it connects again after a pause (1 s, doubling up to
 * 15 s while PostgreSQL stays away); notifications sent meanwhile are lost, which the listeners'
 * fallback polls cover. A silent network (no reset) is found by a {@code SELECT 1} after a quiet
 * while.
 */
public final class PostgresChangeFeed implements RunChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeFeed.class);
    /** How long one wait for notifications blocks; also bounds how long close() waits. */
    private static final int WAIT_MS = 250;
    private static final Duration QUIET_CHECK = Duration.ofSeconds(15);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

    private final DatabaseEndpoint endpoint;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch listening = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile int connections;
    private volatile int backendPid;

    private PostgresChangeFeed(DatabaseEndpoint endpoint) {
        this.endpoint = endpoint;
        this.thread = new Thread(this::run, "labbook-change-feed");
        thread.setDaemon(true);
    }

    /** Starts listening; returns at once (the first connection is made on the feed's thread). */
    public static PostgresChangeFeed start(DatabaseEndpoint endpoint) {
        PostgresChangeFeed feed = new PostgresChangeFeed(endpoint);
        feed.thread.start();
        return feed;
    }

    @Override
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** Waits until the first LISTEN is in place (for tests and start-up); false on timeout. */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        return listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many times the feed has started listening (reconnects show as more than one). */
    public int connectionsOpened() {
        return connections;
    }

    /** The PostgreSQL backend process of the current connection (tests end it to force a reconnect). */
    public int backendPid() {
        return backendPid;
    }

    private void run() {
        // Doubles while PostgreSQL stays away (one warning, not one per attempt); reset once listening.
        Duration pause = FIRST_PAUSE;
        while (!closed) {
            try (Connection connection = connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + ChangeNotices.LOGS_CHANNEL);
                    statement.execute("LISTEN " + ChangeNotices.RUN_CHANNEL);
                }
                backendPid = connection.unwrap(PGConnection.class).getBackendPID();
                connections++;
                listening.countDown();
                if (connections > 1) {
                    LOG.info("change feed listening again; changes made meanwhile show at the next poll");
                }
                pause = FIRST_PAUSE;
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (pause.equals(FIRST_PAUSE)) {
                    LOG.warn("change feed connection to PostgreSQL lost ({}); cross-replica wake-ups fall back to "
                            + "polling until it is back", e.getMessage());
                } else {
                    LOG.debug("change feed still cannot reach PostgreSQL ({})", e.getMessage());
                }
                pause(pause);
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private Connection connect() throws SQLException {
        // No socket timeout: getNotifications sets its own per wait.
        Connection connection = DedicatedConnection.open(endpoint, "labbook-change-feed", 10, 0);
        connection.setAutoCommit(true);
        return connection;
    }

    /** Hands notifications to the listeners until the feed closes or the connection breaks. */
    private void receive(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long quietSince = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(WAIT_MS);
            if (notifications != null && notifications.length > 0) {
                quietSince = System.nanoTime();
                for (PGNotification notification : notifications) {
                    deliver(notification);
                }
            } else if (System.nanoTime() - quietSince > QUIET_CHECK.toNanos()) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(5);
                    statement.execute("SELECT 1");
                }
                quietSince = System.nanoTime();
            }
        }
    }

    private void deliver(PGNotification notification) {
        Change change = ChangeNotices.LOGS_CHANNEL.equals(notification.getName()) ? Change.LOGS : Change.RUN;
        UUID runId;
        try {
            runId = UUID.fromString(notification.getParameter());
        } catch (IllegalArgumentException e) {
            return; // not one of ours
        }
        for (Listener listener : listeners) {
            try {
                listener.changed(runId, change);
            } catch (RuntimeException e) {
                LOG.warn("a change listener failed", e);
            }
        }
    }

    private void pause(Duration pause) {
        try {
            closing.await(pause.toMillis(), TimeUnit.MILLISECONDS); // cut short by close()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops listening and closes the connection (within about {@value #WAIT_MS} ms). */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        // No interrupt: the thread notices within one wait (or pause) and closes its connection itself.
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
