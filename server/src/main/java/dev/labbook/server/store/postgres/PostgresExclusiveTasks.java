package dev.labbook.server.store.postgres;

import dev.labbook.server.store.ExclusiveTasks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.UnaryOperator;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ExclusiveTasks} with PostgreSQL session advisory locks, so replicas on one database
 * exclude each other with nothing but that database. Positions are rows of
 * {@code housekeeping_cursor}, read and written by the lock holder. A pass holds a connection of its own,
 * outside the pool (a pool of one would otherwise have nothing left for the pass's work), that
 * took {@code pg_try_advisory_lock(19522, task)}; closing that connection at the end of the pass
 * releases the lock, as does the death of a replica's process. The keys are fixed and documented
 * in docs/operations.md (in {@code pg_locks}: classid 19522 = 'L' * 256 + 'B', objid below).
 */
final class PostgresExclusiveTasks implements ExclusiveTasks {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresExclusiveTasks.class);
    /** 'L' * 256 + 'B': Labbook's advisory lock class. */
    static final int LOCK_CLASS = 19522;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final DatabaseEndpoint endpoint;

    PostgresExclusiveTasks(DatabaseEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The advisory lock key of a task; never change one, or old and new replicas would both run. */
    static int lockKey(Task task) {
        return switch (task) {
            case METRIC_COMPACTION -> 1;
            case ARTIFACT_GC -> 2;
        };
    }

    @Override
    public boolean runExclusively(Task task, UnaryOperator<String> pass) {
        try (Connection connection = connect()) {
            if (!call(connection, "SELECT pg_try_advisory_lock(?, ?)", task)) {
                return false;
            }
            try {
                String next = pass.apply(position(connection, task));
                savePosition(connection, task, next);
            } finally {
                unlock(connection, task);
            }
            return true;
        } catch (SQLException e) {
            throw SqlSupport.translate(new DataAccessException("cannot take the lock of " + task, e));
        }
    }

    private Connection connect() throws SQLException {
        return DedicatedConnection.open(endpoint, "labbook-exclusive-task", CONNECT_TIMEOUT_SECONDS, 0);
    }

    private static String position(Connection connection, Task task) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT position FROM housekeeping_cursor WHERE task = ?")) {
            statement.setString(1, task.name());
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        }
    }

    private static void savePosition(Connection connection, Task task, String position) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO housekeeping_cursor"
                + " (task, position) VALUES (?, ?) ON CONFLICT (task) DO UPDATE SET position = EXCLUDED.position")) {
            statement.setString(1, task.name());
            statement.setString(2, position);
            statement.executeUpdate();
        }
    }

    /** Unlocks explicitly; should that fail, closing the connection right after releases it anyway. */
    private static void unlock(Connection connection, Task task) {
        try {
            call(connection, "SELECT pg_advisory_unlock(?, ?)", task);
        } catch (SQLException e) {
            LOG.debug("unlocking {} failed; closing the connection releases it", task, e);
        }
    }

    private static boolean call(Connection connection, String sql, Task task) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, LOCK_CLASS);
            statement.setInt(2, lockKey(task));
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }
}
