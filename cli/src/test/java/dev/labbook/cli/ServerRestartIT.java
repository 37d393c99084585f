package dev.labbook.cli;

import static dev.labbook.cli.CliTestSupport.awaitContains;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.NewRun;
import dev.labbook.sdk.RunStatus;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.config.Setting;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SharedPostgres;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands across a restart of their server (its own, on a fixed port, here):
 * {@code logs -f} reconnects, {@code run} keeps the script's output until the server is back.
 */
class ServerRestartIT {
    @TempDir
    Path work;

    private static LabbookServer start(DatabaseEndpoint db, int port, Path artifacts) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.HOST, "127.0.0.1");
        flags.put(Setting.PORT, Integer.toString(port));
        flags.put(Setting.DB_URL, db.jdbcUrl());
        flags.put(Setting.DB_USER, db.user());
        flags.put(Setting.DB_PASSWORD, db.password());
        flags.put(Setting.ARTIFACT_DIR, artifacts.toString());
        // Through the environment so that settings this server version lacks are simply ignored:
        // no metrics or HTTP port to collide on (another server on the machine may hold the default
        // 7880), and a short shutdown grace for the open follow stream.
        Map<String, String> env = Map.of("LABBOOK_METRICS_PORT", "0", "LABBOOK_HTTP_PORT", "0",
                "LABBOOK_SHUTDOWN_GRACE_SECONDS", "2");
        return LabbookServer.start(ServerConfigLoader.load(flags, env, null, artifacts));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The follower gets UNAVAILABLE at shutdown, reconnects after the last line it printed, loses nothing. */
    @Test
    void followReconnectsAfterARestartWithoutLosingOrRepeatingLines() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_cli_restart");
        int port = freePort();
        String target = "127.0.0.1:" + port;
        LabbookServer server = start(db, port, work.resolve("artifacts"));
        String runId;
        try (LabbookClient client = LabbookClient.connect(target)) {
            runId = client.runs().open(NewRun.in("restart").withName("r")).run().id();
            client.logs().append(runId, List.of(LogLine.of(LogLevel.INFO, "line 1")));
        }
        Cli.Running follow = new Cli(work, work, Map.of()).start("logs", "--target", target, runId, "-f");
        try {
            awaitContains(follow.stdout(), "line 1", 60);
            server.close();
            server = start(db, port, work.resolve("artifacts"));
            try (LabbookClient client = LabbookClient.connect(target)) {
                client.logs().append(runId, List.of(LogLine.of(LogLevel.INFO, "line 2")));
                client.runs().finish(runId, RunStatus.COMPLETED);
            }
            Cli.Result result = follow.await();
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).isEqualTo("line 1\nline 2\n");
        } finally {
            follow.process().destroyForcibly();
            server.close();
        }
    }

    /** Output captured while the server is down is stored once it is back; the status follows. */
    @Test
    void runKeepsOutputThroughARestart() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_cli_restart_run");
        int port = freePort();
        String target = "127.0.0.1:" + port;
        LabbookServer server = start(db, port, work.resolve("artifacts"));
        CliTestSupport.script(work, "wait_file.py");
        Path go = work.resolve("go");
        Cli.Running run = new Cli(work, work, Map.of()).start("run", "--target", target, "-e", "restart", "-n", "r",
                "--", "python3", "wait_file.py", go.toString());
        try {
            awaitContains(run.stdout(), "before", 60);
            Thread.sleep(500); // "before" reached the server (batches leave within 200 ms)
            server.close();
            java.nio.file.Files.writeString(go, "go"); // the script prints "after" and exits while the server is down
            awaitContains(run.stdout(), "after", 30);
            Thread.sleep(1000);
            server = start(db, port, work.resolve("artifacts"));
            Cli.Result result = run.await();
            assertThat(result.exitCode()).as(result.toString()).isZero();
            // No "server is unreachable" warning is promised for an outage this short: the SDK's
            // synchronous calls wait out up to 30 s once they have reached the server (docs/java-sdk.md).
            assertThat(result.stderr()).contains("COMPLETED");
            try (LabbookClient client = LabbookClient.connect(target)) {
                String runId = client.runs().search(dev.labbook.sdk.RunSearch.inProject("default")
                        .filter("name = 'r'"), "").items().get(0).id();
                assertThat(client.logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                        .containsExactly("before", "after");
                assertThat(client.runs().get(runId).status()).isEqualTo(RunStatus.COMPLETED);
            }
        } finally {
            run.process().destroyForcibly();
            server.close();
        }
    }
}
