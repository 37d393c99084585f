package dev.labbook.server.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A connection of its own to the metadata database, outside the pool, for work that must neither
 * wait for a pooled connection nor hold one for long: the readiness probe, the change feed's
 * LISTEN and the advisory locks of background passes. Connecting and logging in are bounded;
 * the socket timeout (0: none) bounds every later read.
 */
final class DedicatedConnection {
    private DedicatedConnection() {
    }

    /** @param applicationName shown in pg_stat_activity, so operators can tell these apart */
    static Connection open(DatabaseEndpoint endpoint, String applicationName, int connectTimeoutSeconds,
            int socketTimeoutSeconds) throws SQLException {
        Properties properties = new Properties();
        if (!endpoint.user().isEmpty()) {
            properties.setProperty("user", endpoint.user());
        }
        if (!endpoint.password().isEmpty()) {
            properties.setProperty("password", endpoint.password());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
        properties.setProperty("loginTimeout", String.valueOf(connectTimeoutSeconds));
        properties.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
        return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    }
}
