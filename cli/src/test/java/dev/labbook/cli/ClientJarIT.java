package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The client jar that {@code bin/labbook} runs for the client commands (issue 17, item 7): the SDK and
 * the commands, none of the server's dependencies; the server's commands are only listed.
 */
class ClientJarIT {
    /** Packages of the server and of what only the server needs. */
    private static final List<String> SERVER_ONLY = List.of("dev/labbook/server/", "org/postgresql/", "org/jooq/",
            "io/minio/", "org/flywaydb/", "com/zaxxer/hikari/", "io/zonky/", "com/linecorp/armeria/",
            "ch/qos/logback/", "io/fabric8/", "org/bouncycastle/", "io/prometheus/", "com/nimbusds/", "web/",
            "io/netty/", "io/vertx/");

    static Path clientJar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("labbook-cli-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no shaded client jar in target/ (mvn package makes it)"))
                    .toAbsolutePath();
        }
    }

    @Test
    void holdsTheClientAndNoneOfTheServersDependencies() throws Exception {
        try (ZipFile jar = new ZipFile(clientJar().toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("dev/labbook/cli/LabbookCli.class", "dev/labbook/api/v1/Run.class");
            assertThat(names).anyMatch(n -> n.startsWith("dev/labbook/sdk/"));
            assertThat(names).anyMatch(n -> n.startsWith("io/grpc/netty/shaded/"));
            for (String prefix : SERVER_ONLY) {
                assertThat(names).as("entries under " + prefix).noneMatch(n -> n.startsWith(prefix));
            }
        }
        // It was 188 MB with the server inside.
        assertThat(Files.size(clientJar())).isLessThan(40L << 20);
    }

    private static String[] run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", clientJar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(process.exitValue()), out, err};
    }

    @Test
    void serverCommandsAreListedAndPointToTheServerJar() throws Exception {
        String[] help = run("--help");
        assertThat(help[0]).isEqualTo("0");
        assertThat(help[1]).containsPattern("(?m)^  server\\s+Starts the Labbook tracking server")
                .containsPattern("(?m)^  migrate\\s").containsPattern("(?m)^  new-token\\s")
                .containsPattern("(?m)^  runs\\s");

        for (String command : List.of("server", "migrate", "new-token")) {
            String[] ran = run(command, "--port", "0");
            assertThat(ran[0]).as(command).isEqualTo("2");
            assertThat(ran[1]).isEmpty();
            assertThat(ran[2].strip()).as(command).startsWith("labbook: error: '" + command + "' runs from the server jar")
                    .contains("bin/labbook " + command, "labbook-server-").doesNotContain("Unknown", "Exception");
        }
        String[] serverHelp = run("server", "--help");
        assertThat(serverHelp[0]).isEqualTo("0");
        assertThat(serverHelp[1]).startsWith("Usage: labbook server").contains("bin/labbook server --help");
    }
}
