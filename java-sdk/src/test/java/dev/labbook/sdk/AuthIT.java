package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.sdk.internal.Environment;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a real server with access control on: credentials from LABBOOK_TOKEN, a token
 * file and the credentials file; clear errors for a missing token, a missing role and a revoked
 * token; and metric points logged while the token is revoked are spooled, not lost, then stored
 * exactly once with a new token. (The environment is given to the client as {@link Environment},
 * the same path the process environment takes.)
 */
@ExtendWith(AuthServerExtension.class)
class AuthIT {
    @TempDir
    Path home;

    private String target;
    private LabbookClient admin;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void connect(TestServer server) {
        target = server.target();
        admin = LabbookClient.connect(Target.parse(target), ClientOptions.DEFAULT.withToken(
                AuthServerExtension.BOOTSTRAP_TOKEN));
        Logger.getLogger("dev.labbook.sdk").addHandler(capture);
    }

    @AfterEach
    void close() {
        Logger.getLogger("dev.labbook.sdk").removeHandler(capture);
        admin.close();
    }

    private LabbookClient client(Map<String, String> env) {
        return LabbookClient.connect(Target.parse(target), ClientOptions.DEFAULT, new Environment(env, home));
    }

    private String token(String name, String project, Role role) {
        NewToken created = admin.access().createToken(name, project, role, Duration.ofDays(1));
        assertThat(created.secret()).startsWith("lbk_");
        return created.secret();
    }

    private List<String> warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecord::getMessage).toList();
    }

    @Test
    void theEnvTokenAuthenticatesAndTheCallerIsItsToken() {
        String editor = token("ci", "vision", Role.EDITOR);
        try (LabbookClient client = client(Map.of("LABBOOK_TOKEN", editor))) {
            Caller caller = client.access().caller();
            assertThat(caller.principal()).isEqualTo("token:ci");
            assertThat(caller.method()).isEqualTo("token");
            assertThat(caller.authEnabled()).isTrue();
            assertThat(caller.roles()).containsExactly(new RoleBinding("vision", Role.EDITOR));
            assertThat(caller.expireTimeMs()).isGreaterThan(System.currentTimeMillis());
            assertThat(client.experiments().create("vision", "resnet", "", "", Map.of()).name()).isEqualTo("resnet");
        }
    }

    @Test
    void theCredentialsFileAndTheTokenFileAuthenticate() throws Exception {
        String viewer = token("laptop", "vision", Role.VIEWER);
        CredentialsFile.empty().withToken(Credentials.serverKey(Target.parse(target)), viewer)
                .write(CredentialsFile.defaultPath(home));
        try (LabbookClient client = client(Map.of())) {
            assertThat(client.access().caller().principal()).isEqualTo("token:laptop");
            assertThat(client.credentials().current()).hasValueSatisfying(
                    f -> assertThat(f.source()).endsWith("[" + Credentials.serverKey(Target.parse(target)) + "]"));
        }
        String projected = token("pod", "vision", Role.EDITOR);
        Path tokenFile = Files.writeString(home.resolve("token"), projected + "\n");
        try (LabbookClient client = client(Map.of("LABBOOK_TOKEN_FILE", tokenFile.toString()))) {
            assertThat(client.access().caller().principal()).isEqualTo("token:pod"); // before the credentials file
        }
    }

    @Test
    void scriptModeTakesTheTokenFromItsEnvironment() {
        String editor = token("job", "vision", Role.EDITOR);
        String runId;
        try (Run run = Run.getContext(Map.of("LABBOOK_TRACKING_URI", target, "LABBOOK_TOKEN", editor,
                "LABBOOK_PROJECT", "vision", "LABBOOK_EXPERIMENT", "script", "LABBOOK_RUN_NAME", "ctx",
                "LABBOOK_SPOOL_DIR", home.resolve("spool").toString()))) {
            runId = run.id();
            run.logMetric("loss", 1.0);
        }
        RunInfo info = admin.runs().get(runId);
        assertThat(info.creator()).isEqualTo("token:job");
        assertThat(info.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(admin.metrics().history(runId, "loss").size()).isEqualTo(1);
    }

    @Test
    void noTokenIsAClearErrorAndAMissingRoleToo() {
        try (LabbookClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.experiments().listAll("vision"))
                    .isInstanceOfSatisfying(UnauthenticatedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ErrorReason.CREDENTIALS_MISSING);
                        assertThat(e.getMessage()).contains("LABBOOK_TOKEN", "labbook login");
                    });
            assertThat(client.server().info().version()).isNotEmpty(); // public
        }
        try (LabbookClient viewer = client(Map.of("LABBOOK_TOKEN", token("reader", "vision", Role.VIEWER)))) {
            assertThatThrownBy(() -> viewer.experiments().create("vision", "nope", "", "", Map.of()))
                    .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ErrorReason.ROLE_MISSING);
                        assertThat(e.getMessage()).contains("vision", "use a token with that role");
                    });
        }
    }

    @Test
    void tokensAreListedAndRevokedAndTheAuditLogShowsWhoDidWhat(TestServer server) throws Exception {
        String editor = token("ci", "vision", Role.EDITOR);
        List<TokenInfo> tokens = admin.access().listAllTokens("vision", false);
        assertThat(tokens).extracting(TokenInfo::name).containsExactly("ci");
        TokenInfo ci = tokens.get(0);
        assertThat(editor).startsWith(ci.prefix());
        TokenInfo revoked = admin.access().revokeToken(ci.id());
        assertThat(revoked.revokeTimeMs()).isPositive();
        assertThat(admin.access().listAllTokens("vision", false)).isEmpty();
        assertThat(admin.access().listAllTokens("vision", true)).extracting(TokenInfo::id).containsExactly(ci.id());
        try (LabbookClient client = client(Map.of("LABBOOK_TOKEN", editor))) {
            assertThatThrownBy(() -> client.access().caller()).isInstanceOfSatisfying(UnauthenticatedException.class,
                    e -> assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED));
        }
        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();
        List<AuditEvent> events = admin.access().listAuditEvents("", "token:bootstrap", 10);
        assertThat(events).extracting(AuditEvent::method).containsSubsequence(
                "labbook.v1.AccessService/RevokeToken", "labbook.v1.AccessService/CreateToken");
        AuditEvent revoke = events.stream().filter(e -> e.method().endsWith("/RevokeToken")).findFirst().orElseThrow();
        assertThat(revoke.code()).isEqualTo("OK");
        assertThat(revoke.target()).contains(ci.id());
        assertThat(revoke.project()).isEqualTo("vision");
    }

    @Test
    void pointsLoggedWhileTheTokenIsRevokedAreSpooledWithOneWarningThenStoredOnceWithANewToken() throws Exception {
        Path tokenFile = Files.writeString(home.resolve("token"), token("trainer-1", "vision", Role.EDITOR));
        LabbookOptions options = LabbookOptions.defaults().withSpoolDir(home.resolve("spool")).withBatchPoints(500)
                .withFlushInterval(Duration.ofMillis(100)).withSpoolAfter(Duration.ofMillis(500))
                .withCloseTimeout(Duration.ofSeconds(30));
        Map<String, String> env = Map.of("LABBOOK_TOKEN_FILE", tokenFile.toString());
        String runId;
        try (Labbook lb = Labbook.connect(target, options, new Environment(env, home));
                Run run = lb.experiment("vision", "resnet").startRun("revoked")) {
            runId = run.id();
            for (int i = 0; i < 1000; i++) {
                run.logMetric("loss", i);
            }
            assertThat(run.flush(10_000)).isTrue();

            String tokenId = lb.client().access().caller().tokenId();
            admin.access().revokeToken(tokenId);
            assertThatThrownBy(() -> lb.client().runs().get(runId)) // a synchronous call: a clear error
                    .isInstanceOfSatisfying(UnauthenticatedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED);
                        assertThat(e.getMessage()).contains("revoked", "labbook login");
                    });
            records.clear();
            for (int i = 1000; i < 3000; i++) {
                run.logMetric("loss", i);
            }
            run.logParam("lr", 0.1);
            run.log("logged while revoked");
            assertThat(run.flush(3000)).isFalse(); // kept, not stored, not dropped
            assertThat(spooledBatches(home.resolve("spool"))).isPositive();
            assertThat(warnings()).hasSize(1);
            assertThat(warnings().get(0)).contains("refuses this client's credentials", "TOKEN_REVOKED", "revoked")
                    .doesNotContain(Files.readString(tokenFile));

            // the kubelet (or a login) puts a new token in place: the same process goes on
            Files.writeString(tokenFile, token("trainer-2", "vision", Role.EDITOR));
            assertThat(run.flush(30_000)).isTrue();
        }
        MetricSeries series = admin.metrics().history(runId, "loss");
        assertThat(series.size()).isEqualTo(3000);
        for (int i = 0; i < 3000; i++) {
            assertThat(series.steps()[i]).isEqualTo(i);
        }
        assertThat(admin.runs().get(runId).params()).containsEntry("lr", 0.1);
        assertThat(admin.logs().read(runId, 0, 0, null)).extracting(LogLine::text).contains("logged while revoked");
        assertThat(admin.runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(spooledBatches(home.resolve("spool"))).isZero();
        assertThat(warnings()).hasSize(1);
    }

    @Test
    void aProcessThatEndsWhileRevokedLeavesItsPointsInTheSpoolForTheNextValidConnect() throws Exception {
        String first = token("trainer", "vision", Role.EDITOR);
        LabbookOptions options = LabbookOptions.defaults().withSpoolDir(home.resolve("spool")).withBatchPoints(500)
                .withSpoolAfter(Duration.ofMillis(300)).withCloseTimeout(Duration.ofSeconds(2));
        String runId;
        try (Labbook lb = Labbook.connect(target, options, new Environment(Map.of("LABBOOK_TOKEN", first), home));
                Run run = lb.experiment("vision", "resnet").startRun("ends")) {
            runId = run.id();
            admin.access().revokeToken(lb.client().access().caller().tokenId());
            for (int i = 0; i < 2500; i++) {
                run.logMetric("acc", i);
            }
            assertThat(run.flush(2000)).isFalse();
        }
        assertThat(spooledBatches(home.resolve("spool"))).isPositive();
        String second = token("trainer-again", "vision", Role.EDITOR);
        try (Labbook lb = Labbook.connect(target, options, new Environment(Map.of("LABBOOK_TOKEN", second), home))) {
            SpoolReplayer.Result replayed = lb.spoolReplay().get();
            assertThat(replayed.points()).isEqualTo(2500);
            assertThat(lb.replaySpool().batches()).isZero(); // nothing left, nothing twice
        }
        assertThat(admin.metrics().history(runId, "acc").size()).isEqualTo(2500);
        assertThat(spooledBatches(home.resolve("spool"))).isZero();
    }

    private static long spooledBatches(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".batch")).count();
        }
    }
}
