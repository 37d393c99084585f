package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.ClientOptions;
import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookOptions;
import dev.labbook.sdk.NewToken;
import dev.labbook.sdk.Role;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.Target;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * login / logout / whoami / tokens / audit / sync --spool against a server with access control on,
 * the CLI in its own JVM with a home directory of its own.
 */
@ExtendWith(AuthServerExtension.class)
class AuthCommandsIT {
    private static final Pattern SECRET = Pattern.compile("lbk_[0-9A-Za-z]{38}");

    @TempDir
    Path work;
    @TempDir
    Path cliOutput;
    @TempDir
    Path home;

    private TestServer server;
    private String target;
    private LabbookClient admin;

    @BeforeEach
    void connect(TestServer server) {
        this.server = server;
        target = server.target();
        admin = LabbookClient.connect(Target.parse(target),
                ClientOptions.DEFAULT.withToken(AuthServerExtension.BOOTSTRAP_TOKEN));
    }

    @AfterEach
    void close() {
        admin.close();
    }

    private Cli cli(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("HOME", home.toString());
        return new Cli(work, cliOutput, all, List.of("-Duser.home=" + home));
    }

    private String token(String name, String project, Role role) {
        return admin.access().createToken(name, project, role, null).secret();
    }

    private Path credentialsFile() {
        return home.resolve(".labbook").resolve("credentials");
    }

    @Test
    void loginWhoamiAndLogout() throws Exception {
        String editor = token("alice", "vision", Role.EDITOR);
        Files.createDirectories(credentialsFile().getParent());
        Files.writeString(credentialsFile(), "[elsewhere:7800]\ntoken = lbk_other\n");
        Cli cli = cli(Map.of());

        Cli.Result login = cli.runWithStdin(editor + "\n", "login", "--target", target);
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(login.stdout()).contains("Logged in to " + target + " as token:alice (token)", "vision:editor",
                "Saved to " + credentialsFile());
        assertThat(login.stdout() + login.stderr()).doesNotContain(editor);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialsFile()))).isEqualTo("rw-------");
        assertThat(Files.readString(credentialsFile())).contains("[elsewhere:7800]\ntoken = lbk_other",
                "[" + target + "]\ntoken = " + editor);

        Cli.Result whoami = cli.run("whoami", "--target", target);
        assertThat(whoami.exitCode()).as(whoami.toString()).isZero();
        assertThat(whoami.stdout()).containsPattern("principal +token:alice").containsPattern("roles +vision:editor")
                .contains(credentialsFile() + " [" + target + "]");
        assertThat(cli.run("experiments", "list", "--project", "vision", "--target", target).exitCode()).isZero();

        Cli.Result logout = cli.run("logout", "--target", target);
        assertThat(logout.stdout()).contains("Removed the credentials for " + target);
        assertThat(Files.readString(credentialsFile())).contains("[elsewhere:7800]").doesNotContain(editor);
        Cli.Result anonymous = cli.run("whoami", "--target", target);
        assertThat(anonymous.exitCode()).isEqualTo(1);
        assertThat(anonymous.stderr()).contains("labbook: error: UNAUTHENTICATED", "LABBOOK_TOKEN", "labbook login");
    }

    @Test
    void aTokenTheServerRefusesIsNotSaved() throws Exception {
        String revoked = token("gone", "vision", Role.VIEWER);
        admin.access().revokeToken(admin.access().listAllTokens("vision", false).get(0).id());
        Cli.Result login = cli(Map.of()).run("login", "--target", target, "--token", revoked);
        assertThat(login.exitCode()).isEqualTo(1);
        assertThat(login.stderr()).contains("does not accept this token", "revoked", "nothing saved");
        assertThat(credentialsFile()).doesNotExist();
    }

    @Test
    void createListRevokeTokensAndReadTheAuditLog() throws Exception {
        String projectAdmin = token("lead", "vision", Role.ADMIN);
        Cli cli = cli(Map.of("LABBOOK_TOKEN", projectAdmin, "LABBOOK_TRACKING_URI", target));

        Cli.Result created = cli.run("tokens", "create", "--name", "ci", "--project", "vision", "--role", "editor",
                "--expires", "90d");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.stdout()).contains("Created token 'ci'", "editor in project vision", "expires",
                "shown only this once");
        Matcher m = SECRET.matcher(created.stdout());
        assertThat(m.find()).isTrue();
        String secret = m.group();
        assertThat(m.find()).as("the secret is printed once").isFalse();

        Cli.Result json = cli.run("tokens", "create", "--name", "ci-json", "--project", "vision", "--role", "viewer",
                "--json");
        assertThat(json.stdout()).containsPattern("\"secret\" : \"lbk_").contains("\"role\" : \"VIEWER\"");
        assertThat(json.stderr()).contains("shown only this once");

        Cli.Result ciWhoami = cli(Map.of("LABBOOK_TOKEN", secret)).run("whoami", "--target", target, "--json");
        assertThat(ciWhoami.stdout()).contains("\"principal\" : \"token:ci\"", "\"credentials\" : \"LABBOOK_TOKEN\"")
                .doesNotContain(secret);

        Cli.Result list = cli.run("tokens", "list", "--project", "vision");
        assertThat(list.stdout()).containsPattern("(?m)^ID +NAME +PROJECT +ROLE +PREFIX +CREATED +EXPIRES +LAST USED +REVOKED$")
                .contains("ci-json", secret.substring(0, 8)).doesNotContain(secret);
        String id = list.stdout().lines().filter(l -> l.contains(" ci ")).findFirst().orElseThrow().split(" ")[0];

        Cli.Result revoke = cli.run("tokens", "revoke", id);
        assertThat(revoke.exitCode()).as(revoke.toString()).isZero();
        assertThat(revoke.stdout()).contains("Revoked token 'ci' (id " + id);
        assertThat(cli.run("tokens", "list", "--project", "vision").stdout()).doesNotContain(id);
        assertThat(cli.run("tokens", "list", "--project", "vision", "--all").stdout()).contains(id);
        Cli.Result refused = cli(Map.of("LABBOOK_TOKEN", secret)).run("runs", "list", "--project", "vision",
                "--target", target);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("UNAUTHENTICATED", "revoked", "labbook login");

        Cli.Result viewer = cli(Map.of("LABBOOK_TOKEN", token("reader", "vision", Role.VIEWER)))
                .run("tokens", "create", "--name", "x", "--project", "vision", "--role", "viewer", "--target", target);
        assertThat(viewer.exitCode()).isEqualTo(1);
        assertThat(viewer.stderr()).contains("PERMISSION_DENIED", "admin");

        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();
        Cli.Result audit = cli.run("audit", "--project", "vision", "--principal", "token:lead", "--limit", "3");
        assertThat(audit.exitCode()).as(audit.toString()).isZero();
        List<String> rows = audit.stdout().lines().toList();
        assertThat(rows.get(0)).matches("TIME +PRINCIPAL +METHOD +PROJECT +TARGET +RESULT +PEER");
        assertThat(rows).hasSize(4);
        // newest first; ListTokens (no project) is not among the project's events
        assertThat(rows.get(1)).contains("token:lead", "AccessService/RevokeToken", "vision", "token_id=" + id, "OK");
        assertThat(rows.get(2)).contains("AccessService/CreateToken", "OK");
        assertThat(rows.get(3)).contains("AccessService/CreateToken", "OK");
        assertThat(cli.run("audit", "--json", "--limit", "1").stdout()) // the newest: the viewer's denied call
                .contains("\"principal\" : \"token:reader\"", "\"code\" : \"PERMISSION_DENIED\"");
    }

    @Test
    void aTokenFileAuthenticates() throws Exception {
        Path tokenFile = Files.writeString(home.resolve("sa-token"), token("pod", "vision", Role.VIEWER) + "\n");
        Cli.Result whoami = cli(Map.of("LABBOOK_TOKEN_FILE", tokenFile.toString())).run("whoami", "--target", target);
        assertThat(whoami.stdout()).containsPattern("principal +token:pod").contains("LABBOOK_TOKEN_FILE " + tokenFile);
    }

    @Test
    void syncSpoolSendsWhatARevokedTokenLeftExactlyOnce() throws Exception {
        NewToken first = admin.access().createToken("trainer", "vision", Role.EDITOR, null);
        Path spool = work.resolve("spool");
        LabbookOptions options = LabbookOptions.defaults().withSpoolDir(spool).withBatchPoints(500)
                .withSpoolAfter(Duration.ofMillis(200)).withCloseTimeout(Duration.ofSeconds(2)).withToken(first.secret());
        String runId;
        try (Labbook lb = Labbook.connect(target, options); Run run = lb.experiment("vision", "resnet").startRun("cli")) {
            runId = run.id();
            admin.access().revokeToken(first.token().id());
            for (int i = 0; i < 2500; i++) {
                run.logMetric("loss", i);
                if (i % 100 == 0) {
                    run.log("line " + i / 100); // spooled calls, replayed by sync --spool too
                }
            }
            run.setTag("spooled", "yes");
            assertThat(run.flush(2000)).isFalse();
        }
        assertThat(batches(spool)).isPositive();
        Cli cli = cli(Map.of("LABBOOK_TOKEN", token("syncer", "vision", Role.EDITOR)));
        Cli.Result sync = cli.run("sync", "--spool", spool.toString(), "--target", target);
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        assertThat(sync.stdout()).contains("(2500 points) and ").contains("0 call(s) refused");
        assertThat(cli.run("sync", "--spool", spool.toString(), "--target", target).stdout())
                .contains("(0 points) and 0 call(s)");
        assertThat(admin.metrics().history(runId, "loss").size()).isEqualTo(2500);
        assertThat(admin.logs().read(runId, 0, 0, null)).hasSize(25);
        assertThat(admin.runs().get(runId).tags()).containsEntry("spooled", "yes");
        assertThat(admin.runs().get(runId).status()).isEqualTo(dev.labbook.sdk.RunStatus.COMPLETED);
        assertThat(batches(spool)).isZero();
    }

    private static long batches(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(spool)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".batch")).count();
        }
    }
}
