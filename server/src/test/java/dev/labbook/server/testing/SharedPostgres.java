package dev.labbook.server.testing;

import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.EmbeddedPostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real embedded PostgreSQL per test JVM (started on first use, stopped at JVM exit), so that
 * test classes share its few seconds of start-up. Tests get databases of their own from it.
 */
public final class SharedPostgres {
    private static EmbeddedPostgresDatabase instance;

    private SharedPostgres() {
    }

    public static synchronized EmbeddedPostgresDatabase get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("labbook-test-pg");
                instance = EmbeddedPostgresDatabase.start(dir, 0);
                Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "test-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** Creates an empty database and returns its endpoint. */
    public static DatabaseEndpoint newDatabase(String name) {
        DatabaseEndpoint main = get().endpoint();
        try (Connection c = DriverManager.getConnection(main.jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new DatabaseEndpoint(main.jdbcUrl().replace("/labbook?", "/" + name + "?"), main.user(), "");
    }
}
