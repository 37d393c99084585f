package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client commands through {@code bin/labbook} and the packaged (shaded) jar, whose merged
 * service files gRPC and the SDK need: a script run, then its log read back as JSON.
 */
@ExtendWith(LabbookServerExtension.class)
class LauncherClientIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "labbook").toAbsolutePath().normalize();

    @TempDir
    Path work;

    private String launch(int expectedExit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_"));
        builder.environment().put("LABBOOK_NO_BUILD", "1"); // the jar was just packaged by this build
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(expectedExit);
        return output;
    }

    @Test
    void runAndReadBackThroughTheLauncher(TestServer server) throws Exception {
        String ran = launch(5, "run", "--target", server.target(), "-e", "launcher", "-n", "one", "--",
                "python3", "-c", "import sys; print('hello', sys.argv[1:]); sys.exit(5)", "a b", "--x");
        assertThat(ran).contains("hello ['a b', '--x']", "FAILED (exit code 5)");

        String json = launch(0, "logs", "--target", server.target(), "launcher/one", "--json");
        JsonNode line = JsonMapper.builder().build().readTree(json.lines().findFirst().orElseThrow());
        assertThat(line.get("text").asString()).isEqualTo("hello ['a b', '--x']");
        assertThat(line.get("stream").asString()).isEqualTo("STDOUT");

        assertThat(launch(0, "--help")).contains("server", "run", "sync", "completion");
    }
}
