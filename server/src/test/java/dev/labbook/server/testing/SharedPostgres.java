package dev.labbook.server.testing;

import dev.labbook.server.store.postgres.DatabaseEndpoint;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real embedded PostgreSQL per test JVM (started on first use, stopped at JVM exit), so that
 * test classes share its few seconds of start-up. Tests get databases of their own from it.
 *
 * <p>It is zonky's plain test cluster (trust on loopback, superuser postgres), not the server's
 * locked-down {@code EmbeddedPostgresDatabase}: tests create and drop databases, which the
 * server's role may not, and the lockdown has tests of its own (EmbeddedPostgresLockdownIT).
 */
public final class SharedPostgres {
    private static EmbeddedPostgres instance;

    private SharedPostgres() {
    }

    private static synchronized EmbeddedPostgres get() {
        if (instance == null) {
            try {
                // zonky registers a shutdown hook that stops it and deletes its temporary data directory.
                instance = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** Creates an empty database and returns its endpoint. */
    public static DatabaseEndpoint newDatabase(String name) {
        EmbeddedPostgres postgres = get();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        // The user is in the URL too: tests open plain JDBC connections with it.
        return new DatabaseEndpoint(postgres.getJdbcUrl("postgres", name), "postgres", "");
    }
}
