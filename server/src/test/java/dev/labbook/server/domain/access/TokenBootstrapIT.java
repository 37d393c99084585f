package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.SharedPostgres;
import dev.labbook.server.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first admin token of a server with access control on: taken from the configuration and
 * stored once, or generated once when no token exists, also when replicas start together.
 */
class TokenBootstrapIT {
    private static final String CONFIGURED = "lbk_TestBootstrapAdminToken000000001069OCb";
    private static final int REPLICAS = 4;

    @TempDir
    Path artifacts;

    private DatabaseEndpoint endpoint;
    private PostgresDatabase database;

    @BeforeEach
    void freshDatabase() {
        endpoint = SharedPostgres.newDatabase("labbook_bootstrap_it");
        database = PostgresDatabase.open(endpoint, REPLICAS + 1);
        database.migrate();
    }

    @AfterEach
    void close() {
        database.close();
    }

    private TokenService replica() {
        Clock clock = Clock.systemUTC();
        return new TokenService(database.accessStore(), new IdGenerator(clock), clock, id -> { });
    }

    private List<String> rows() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, project, role, creator, prefix FROM api_token ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                        + rs.getString(5));
            }
        }
        return rows;
    }

    @Test
    void aConfiguredTokenIsStoredOnceAsAdminOfEveryProject() throws Exception {
        assertThat(replica().bootstrap(Optional.of(CONFIGURED))).isEmpty();
        assertThat(replica().bootstrap(Optional.of(CONFIGURED + "\n"))).isEmpty(); // as read from a Secret file

        assertThat(rows()).containsExactly("bootstrap * admin bootstrap lbk_Test");
        // And it is never generated next to one.
        assertThat(replica().bootstrap(Optional.empty())).isEmpty();
        assertThat(rows()).hasSize(1);
    }

    @Test
    void aRevokedConfiguredTokenStaysRevoked() throws Exception {
        TokenService tokens = replica();
        tokens.bootstrap(Optional.of(CONFIGURED));
        ApiToken stored = tokens.list(TestTokens.MINTER, "*", true, 0, "").items().get(0);
        tokens.revoke(TestTokens.MINTER, stored.id());

        tokens.bootstrap(Optional.of(CONFIGURED));

        assertThat(tokens.list(TestTokens.MINTER, "*", true, 0, "").items()).singleElement()
                .satisfies(token -> assertThat(token.revoked()).isTrue());
    }

    @Test
    void aConfiguredTokenOfAnotherFormIsRefusedNamingTheSetting() {
        for (String bad : List.of("secret", "lbk_TestBootstrapAdminToken000000001069OCc", "")) {
            assertThatThrownBy(() -> replica().bootstrap(Optional.of(bad))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("LABBOOK_BOOTSTRAP_TOKEN").hasMessageContaining("checksum")
                    .hasMessageNotContaining(bad.isEmpty() ? "\u0000" : bad);
        }
    }

    @Test
    void withoutAConfiguredTokenOneIsGeneratedWhenNoneExists() throws Exception {
        NewToken created = replica().bootstrap(Optional.empty()).orElseThrow();

        assertThat(TokenSecrets.looksLikeToken(created.secret())).isTrue();
        assertThat(created.token().project()).isEqualTo("*");
        assertThat(created.token().role()).isEqualTo(Role.ADMIN);
        assertThat(replica().bootstrap(Optional.empty())).isEmpty();
        assertThat(rows()).containsExactly("bootstrap * admin bootstrap " + created.secret().substring(0, 8));
    }

    @Test
    void replicasStartingTogetherGenerateOneToken() throws Exception {
        List<Optional<NewToken>> results = together(() -> replica().bootstrap(Optional.empty()));

        assertThat(results.stream().filter(Optional::isPresent).count()).isOne();
        assertThat(rows()).hasSize(1);
    }

    @Test
    void replicasStartingTogetherStoreTheConfiguredTokenOnce() throws Exception {
        together(() -> replica().bootstrap(Optional.of(CONFIGURED)));

        assertThat(rows()).containsExactly("bootstrap * admin bootstrap lbk_Test");
    }

    private static <T> List<T> together(java.util.concurrent.Callable<T> start) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(REPLICAS);
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    return start.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aServerWithAccessControlOnPrintsAGeneratedTokenOnceOnStandardOutput() throws Exception {
        String first = startAndCaptureStdout(AuthConfig.tokens(Optional.empty()));
        Matcher block = Pattern.compile("=+ LABBOOK BOOTSTRAP ADMIN TOKEN =+\\R(lbk_\\w+)\\R").matcher(first);
        assertThat(block.find()).as(first).isTrue();
        String secret = block.group(1);
        assertThat(TokenSecrets.looksLikeToken(secret)).isTrue();

        String second = startAndCaptureStdout(AuthConfig.tokens(Optional.empty()));
        assertThat(second).doesNotContain("LABBOOK BOOTSTRAP").doesNotContain(secret);
        assertThat(rows()).hasSize(1);
    }

    @Test
    void aServerWithAccessControlOffMakesNoToken() throws Exception {
        String out = startAndCaptureStdout(AuthConfig.off());
        assertThat(out).doesNotContain("LABBOOK BOOTSTRAP");
        assertThat(rows()).isEmpty();
    }

    /** Starts a server on the test database (its secret must authenticate there), stops it, returns its stdout. */
    private String startAndCaptureStdout(AuthConfig auth) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(endpoint.jdbcUrl()),
                    endpoint.user(), endpoint.password(), 2, 0, 1 << 20, 0,
                    new ArtifactConfig(artifacts, Optional.empty(), 1L << 30, 0)).withAuth(auth);
            try (LabbookServer server = LabbookServer.start(config)) {
                String out = captured.toString(StandardCharsets.UTF_8);
                Matcher secret = Pattern.compile("lbk_\\w{38}").matcher(out);
                if (secret.find()) {
                    assertThat(server.tokenAuthenticator().authenticate(secret.group()).orElseThrow().name())
                            .isEqualTo("token:bootstrap");
                }
                return out;
            }
        } finally {
            System.setOut(original);
        }
    }
}
