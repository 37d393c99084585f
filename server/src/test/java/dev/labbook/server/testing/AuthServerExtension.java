package dev.labbook.server.testing;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.access.TokenSecrets;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * As {@link LabbookServerExtension}, but the server runs with access control on
 * ({@code --auth on}) and the bootstrap token {@link #BOOTSTRAP_TOKEN} (admin of every project),
 * on a database of its own, with the HTTP port on. Its {@link TestServer#channel()} sends no
 * credentials: give a stub a token with {@link TestTokens#as}; mint tokens with
 * {@link TestTokens#create}. Before each test every table is emptied, except that the bootstrap
 * token stays (active again if a test revoked it), and the audit log queue is written first so
 * that no entry of an earlier test arrives later.
 *
 * <pre>
 * &#64;ExtendWith(AuthServerExtension.class)
 * class MyIT {
 *     &#64;Test void works(TestServer server) {
 *         String editor = TestTokens.create(server, "p1", Role.EDITOR);
 *         TestTokens.as(server.experiments(), editor).createExperiment(...);
 *     }
 * }
 * </pre>
 */
public final class AuthServerExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** The server's bootstrap token: admin of every project ({@code token:bootstrap}). */
    public static final String BOOTSTRAP_TOKEN = "lbk_TestBootstrapAdminToken000000001069OCb";

    private static final String DATABASE = "labbook_auth_it";
    private static TestServer shared;

    static {
        if (!TokenSecrets.looksLikeToken(BOOTSTRAP_TOKEN)) {
            throw new IllegalStateException("BOOTSTRAP_TOKEN is not a valid token");
        }
    }

    static synchronized TestServer server() {
        if (shared == null) {
            DatabaseEndpoint db = SharedPostgres.newDatabase(DATABASE);
            Path artifacts;
            try {
                artifacts = Files.createTempDirectory("labbook-auth-it-artifacts");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                    db.user(), db.password(), 8, 0, 16 * 1024 * 1024, 0,
                    new ArtifactConfig(artifacts, Optional.empty(), 64L * 1024 * 1024 * 1024, 0))
                    .withHttp(HttpConfig.on(0))
                    .withAuth(AuthConfig.tokens(Optional.of(BOOTSTRAP_TOKEN)));
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
            }, "test-auth-server-stop"));
            shared = new TestServer(server, channel, artifacts);
        }
        return shared;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        ErrorInfoAudit.drain();
        truncate(server());
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
     * Empties every Labbook table but keeps the bootstrap token (not revoked, never used), after
     * writing what the audit log holds queued.
     */
    public static void truncate(TestServer server) throws SQLException, InterruptedException {
        if (!server.server().auditWriter().flush(Duration.ofSeconds(10))) {
            throw new IllegalStateException("the audit log did not write its queue within 10 s");
        }
        String bootstrapHash = HexFormat.of().formatHex(TokenSecrets.hash(BOOTSTRAP_TOKEN));
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    + "AND tablename NOT IN ('flyway_schema_history', 'api_token')")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            s.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM api_token WHERE secret_hash <> ?");
                    PreparedStatement reset = c.prepareStatement("UPDATE api_token SET revoked_at = NULL, "
                            + "last_used_at = NULL WHERE secret_hash = ? RETURNING id")) {
                delete.setString(1, bootstrapHash);
                delete.executeUpdate();
                reset.setString(1, bootstrapHash);
                try (ResultSet rs = reset.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("the bootstrap token row is gone");
                    }
                    server.server().tokenAuthenticator().forget(rs.getObject(1, UUID.class));
                }
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
