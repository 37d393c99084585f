package dev.labbook.sdk;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SharedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real Labbook server of a test's own (own database in the shared embedded PostgreSQL, fixed
 * TCP port) that can be stopped and started again on the same database and port, to test what
 * the SDK does during an outage.
 */
final class RestartableServer implements AutoCloseable {
    private final ServerConfig config;
    private LabbookServer server;

    RestartableServer(String database) {
        this(database, HttpConfig.off());
    }

    /** With an HTTP port as given (off by default, like the servers users embed). */
    RestartableServer(String database, HttpConfig http) {
        this(database, http, ServerConfig.DEFAULT_RUN_LEASE);
    }

    /** With a run lease of its own (short, to see runs become CRASHED). */
    RestartableServer(String database, java.time.Duration runLease) {
        this(database, HttpConfig.off(), runLease);
    }

    private RestartableServer(String database, HttpConfig http, java.time.Duration runLease) {
        DatabaseEndpoint db = SharedPostgres.newDatabase(database);
        Path artifacts;
        try {
            artifacts = Files.createTempDirectory("labbook-sdk-artifacts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.config = new ServerConfig("127.0.0.1", freePort(), Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 8, 0, 16 * 1024 * 1024, 0,
                new ArtifactConfig(artifacts, Optional.empty(), 64L * 1024 * 1024 * 1024, 0)).withHttp(http)
                .withRunLease(runLease);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized RestartableServer start() {
        if (server == null) {
            server = LabbookServer.start(config);
        }
        return this;
    }

    synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    String target() {
        return "127.0.0.1:" + config.port();
    }

    @Override
    public void close() {
        stop();
    }
}
