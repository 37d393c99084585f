package dev.labbook.server.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The readiness check of the database: {@code SELECT 1} on one connection of its own (kept open and
 * re-made when it breaks), never on the pool that serves calls: a pool exhausted by calls is a busy
 * server, not a database outage.
 *
 * <p>A plain JDBC connection, not a pool of one: every step of a check (TCP connect, login, the
 * query) is bounded by the driver's own timeouts, so a check ends within a few seconds whatever
 * the network does, and the first check after the database returns opens a fresh connection at
 * once (a pool's creator thread may still be backing off from the failures of the outage).
 */
final class DatabaseProbe implements AutoCloseable {
    private static final int TIMEOUT_SECONDS = 2;

    private final DatabaseEndpoint endpoint;
    private volatile Connection connection;

    DatabaseProbe(DatabaseEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Throws {@link IllegalStateException} saying why the database does not answer. */
    synchronized void check() {
        try {
            if (connection == null) {
                connection = DedicatedConnection.open(endpoint, "labbook-db-probe", TIMEOUT_SECONDS, TIMEOUT_SECONDS);
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            }
        } catch (SQLException e) {
            closeConnection();
            throw new IllegalStateException("PostgreSQL does not answer: " + e.getMessage(), e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // broken anyway: the next check opens a new one
            }
            connection = null;
        }
    }

    /** Not synchronized: closing at shutdown ends a check still waiting on the network at once. */
    @Override
    public void close() {
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException ignored) {
                // shutting down
            }
        }
    }
}
