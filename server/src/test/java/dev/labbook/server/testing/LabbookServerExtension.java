package dev.labbook.server.testing;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real Labbook server: started once per test JVM on a free
 * port (and its HTTP port on another), on its own database in the shared embedded PostgreSQL,
 * reached through a real gRPC channel over TCP. Every table is emptied before each test. Inject {@link TestServer}.
 *
 * <pre>
 * &#64;ExtendWith(LabbookServerExtension.class)
 * class MyIT {
 *     &#64;Test void works(TestServer server) { server.experiments().createExperiment(...); }
 * }
 * </pre>
 */
public final class LabbookServerExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final String DATABASE = "labbook_it";
    private static TestServer shared;

    private static synchronized TestServer server() {
        if (shared == null) {
            DatabaseEndpoint db = SharedPostgres.newDatabase(DATABASE);
            Path artifacts = artifactDir();
            ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                    db.user(), db.password(), 8, 0, 16 * 1024 * 1024, 0,
                    new ArtifactConfig(artifacts, Optional.empty(), 64L * 1024 * 1024 * 1024, 0))
                    // The HTTP port on a free port: every IT runs with both ports open, as in production.
                    .withHttp(HttpConfig.on(0));
            LabbookServer server = LabbookServer.start(config);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .intercept(new ErrorInfoAudit()).build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                channel.shutdownNow();
                try {
                    channel.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                server.close();
            }, "test-server-stop"));
            shared = new TestServer(server, channel, artifacts);
        }
        return shared;
    }

    private static Path artifactDir() {
        try {
            return java.nio.file.Files.createTempDirectory("labbook-it-artifacts");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        ErrorInfoAudit.drain();
        truncateAll(server());
    }

    /** Fails a test during which the server answered an error without an ErrorInfo detail. */
    @Override
    public void afterEach(ExtensionContext context) {
        List<String> violations = ErrorInfoAudit.drain();
        if (!violations.isEmpty()) {
            throw new AssertionError("errors without a labbook.dev ErrorInfo detail: " + violations);
        }
    }

    /**
     * Empties every Labbook table (not Flyway's history) so each test starts from nothing, once the
     * audit log has written what it holds queued (else an earlier test's entries could arrive later).
     */
    static void truncateAll(TestServer server) throws SQLException {
        try {
            server.server().auditWriter().flush(java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename <> 'flyway_schema_history'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            if (!tables.isEmpty()) {
                s.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server();
    }
}
