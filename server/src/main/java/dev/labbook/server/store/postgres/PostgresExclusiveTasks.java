package dev.labbook.server.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.labbook.server.store.ExclusiveTasks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ExclusiveTasks} with PostgreSQL session advisory locks, so replicas on one database
 * exclude each other with nothing but that database. A pass holds a pooled connection that
 * took {@code pg_try_advisory_lock(19522, task)} for its duration (its own transactions use
 * other connections); the lock goes when the pass unlocks it, or when that connection closes,
 * so a killed replica never leaves it taken. The keys are fixed and documented in
 * docs/operations.md (visible in {@code pg_locks} as classid 19522 = 'LB', objid below).
 */
final class PostgresExclusiveTasks implements ExclusiveTasks {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresExclusiveTasks.class);
    /** 'L' * 256 + 'B': Labbook's advisory lock class. */
    static final int LOCK_CLASS = 19522;

    private final HikariDataSource pool;

    PostgresExclusiveTasks(HikariDataSource pool) {
        this.pool = pool;
    }

    /** The advisory lock key of a task; never change one, or old and new replicas would both run. */
    static int lockKey(Task task) {
        return switch (task) {
            case METRIC_COMPACTION -> 1;
            case ARTIFACT_GC -> 2;
        };
    }

    @Override
    public boolean runExclusively(Task task, Runnable pass) {
        Connection connection;
        try {
            connection = pool.getConnection();
        } catch (SQLException e) {
            throw SqlSupport.translate(new org.jooq.exception.DataAccessException("cannot lock " + task, e));
        }
        boolean unlocked = false;
        try {
            if (!call(connection, "SELECT pg_try_advisory_lock(?, ?)", task)) {
                unlocked = true;
                return false;
            }
            try {
                pass.run();
            } finally {
                unlocked = call(connection, "SELECT pg_advisory_unlock(?, ?)", task);
            }
            return true;
        } catch (SQLException e) {
            throw SqlSupport.translate(new org.jooq.exception.DataAccessException("cannot lock " + task, e));
        } finally {
            if (!unlocked) {
                // The lock may still be held by this session: never give it back to the pool.
                LOG.warn("dropping the connection that held the {} lock", task);
                pool.evictConnection(connection);
            }
            close(connection);
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

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a lock connection failed", e);
        }
    }
}
