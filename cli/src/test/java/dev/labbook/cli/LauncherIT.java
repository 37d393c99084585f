package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/labbook} as a user runs it: a real process on the packaged jar. */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "labbook").toAbsolutePath().normalize();
    private static final Pattern SERVING = Pattern.compile("serving on port (\\d+)");

    @TempDir
    Path dataDir;

    private static ProcessBuilder launcher(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // The jar was just packaged by this build; never rebuild from inside a test.
        builder.environment().put("LABBOOK_NO_BUILD", "1");
        builder.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_") && !k.equals("LABBOOK_NO_BUILD"));
        return builder;
    }

    private static String run(ProcessBuilder builder, int expectedExit) throws Exception {
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(expectedExit);
        return output;
    }

    @Test
    void serverHelpDocumentsEveryOption() throws Exception {
        String help = run(launcher("server", "--help"), 0);
        for (String flag : List.of("--port", "--host", "--data-dir", "--db-url", "--db-user", "--db-password",
                "--db-pool-size", "--embedded-db-port", "--max-message-bytes", "--config")) {
            assertThat(help).contains(flag);
        }
        assertThat(help).contains("LABBOOK_DB_URL").contains("LABBOOK_PORT");
    }

    @Test
    void serverCommandsRunFromTheServerJarAndTheRestFromTheClientJar() throws Exception {
        // The server jar's own help: its settings, which the client jar does not know.
        assertThat(run(launcher("help", "server"), 0)).contains("--db-url", "LABBOOK_DB_URL");
        assertThat(run(launcher("new-token"), 0)).containsPattern("(?m)^lbk_[0-9A-Za-z]{38}$");
        assertThat(run(launcher("runs", "--help"), 0)).startsWith("Usage: labbook runs");
        assertThat(run(launcher("--help"), 0)).containsPattern("(?m)^  server\\s").containsPattern("(?m)^  migrate\\s")
                .containsPattern("(?m)^  runs\\s");
    }

    @Test
    void badSettingsFailFastWithOneClearLine() throws Exception {
        String output = run(launcher("server", "--port", "seventy", "--data-dir", dataDir.toString()), 1);
        assertThat(output.strip()).startsWith("labbook: error:").contains("--port").contains("LABBOOK_PORT")
                .doesNotContain("Exception");
    }

    @Test
    void startsOnTheEmbeddedDefaultServesHealthAndStopsCleanlyOnSigterm() throws Exception {
        Process process = launcher("server", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir.toString(),
                "--metrics-port", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                        Matcher m = SERVING.matcher(line);
                        if (m.find()) {
                            return Integer.parseInt(m.group(1));
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("server exited: " + String.join("\n", lines));
            });
            int serverPort = port.get(120, TimeUnit.SECONDS);
            Thread drain = new Thread(() -> out.lines().forEach(lines::add));
            drain.start();

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", serverPort).usePlaintext().build();
            try {
                assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus()).isEqualTo(ServingStatus.SERVING);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            // The process tree is bash -> java (exec); SIGTERM goes to the JVM, whose hook stops PostgreSQL.
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join("\n", lines)).isTrue();
            drain.join(5000);
            assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
            assertThat(lines.stream().collect(Collectors.joining("\n"))).contains("Labbook listening on");
        } finally {
            process.destroyForcibly();
        }
    }
}
