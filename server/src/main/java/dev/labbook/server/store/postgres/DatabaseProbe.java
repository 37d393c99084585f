package dev.labbook.server.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The readiness check of the database: {@code SELECT 1} on one connection of its own (a pool of
 * one, kept open and re-made when it breaks), never on the pool that serves calls: a pool
 * exhausted by calls is a busy server, not a database outage.
 */
final class DatabaseProbe implements AutoCloseable {
    private static final int TIMEOUT_MS = 2_000;

    private final HikariDataSource connection;

    DatabaseProbe(DatabaseEndpoint endpoint) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("labbook-db-probe");
        config.setJdbcUrl(endpoint.jdbcUrl());
        if (!endpoint.user().isEmpty()) {
            config.setUsername(endpoint.user());
        }
        if (!endpoint.password().isEmpty()) {
            config.setPassword(endpoint.password());
        }
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(TIMEOUT_MS);
        config.setValidationTimeout(TIMEOUT_MS / 2);
        // Opened at the first check, not here: the server's own pool has just reached the database.
        config.setInitializationFailTimeout(-1);
        this.connection = new HikariDataSource(config);
    }

    /** Throws {@link IllegalStateException} saying why the database does not answer. */
    void check() {
        try (Connection c = connection.getConnection(); Statement statement = c.createStatement()) {
            statement.setQueryTimeout(TIMEOUT_MS / 1000);
            statement.execute("SELECT 1");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL does not answer: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
