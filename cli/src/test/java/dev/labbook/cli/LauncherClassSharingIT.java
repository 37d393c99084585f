package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/labbook}'s class-data-sharing archive of the client jar (issue 17, item 8): written by
 * the first command that talks to a server (not by help), used by the next ones, made again for a newer jar, and never the cause
 * of a failed command (a cut archive would crash the JVM that maps it). Runs a copy of the
 * launcher and the jar in a tree of its own, so the archive is this test's alone.
 */
@ExtendWith(LabbookServerExtension.class)
class LauncherClassSharingIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "labbook").toAbsolutePath().normalize();

    @TempDir
    Path root;
    private Path targetDir;
    private Path jar;

    private String target;

    @BeforeEach
    void copyTheLauncherAndTheClientJar(TestServer server) throws Exception {
        target = server.target();
        Files.createDirectories(root.resolve("bin"));
        Files.copy(LAUNCHER, root.resolve("bin/labbook"));
        targetDir = Files.createDirectories(root.resolve("cli/target"));
        Path built = ClientJarIT.clientJar();
        jar = targetDir.resolve(built.getFileName());
        Files.copy(built, jar, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private Result launch(String javaOpts, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/labbook").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_") || k.equals("JAVA_OPTS"));
        builder.environment().put("LABBOOK_NO_BUILD", "1");
        // The JVM of this test, whose version the archive's name and the assertions follow.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code labbook runs list} through the launcher: it works, and prints only the listing. */
    private void listWorks() throws Exception {
        Result result = launch(null, "runs", "list", "--target", target, "--format", "csv");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).startsWith("ID,EXPERIMENT,NAME,");
        assertThat(result.stderr()).isEmpty();
    }

    private List<Path> files(String glob) throws Exception {
        List<Path> found = new ArrayList<>();
        try (var dir = Files.newDirectoryStream(targetDir, glob)) {
            dir.forEach(found::add);
        }
        return found;
    }

    /** The archive in use: BASE.SIZE.jsa (Java 17, 18) or BASE.jsa (19+, where the JVM makes it). */
    private List<Path> archives() throws Exception {
        return files("labbook-cli-*.jsa");
    }

    private void oneDumpWritten() throws Exception {
        // The dumping JVM has exited when launch() returns: its file is complete.
        assertThat(files("labbook-cli-*.dump-*")).hasSize(1);
    }

    private boolean loadsTheClientFromTheArchive() throws Exception {
        Path log = root.resolve("classes.log");
        Files.deleteIfExists(log);
        Result result = launch("-Xlog:class+load=info:file=" + log, "runs", "list", "--target", target);
        assertThat(result.exitCode()).isZero();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.anyMatch(l -> l.contains(" dev.labbook.cli.LabbookCli source: shared objects file (top)"));
        }
    }

    private static void cut(Path file) throws Exception {
        file.toFile().setWritable(true);   // the JVM writes archives read-only
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
    }

    @Test
    void theFirstCommandWritesTheArchiveAndTheNextOnesUseIt() throws Exception {
        // Help and version load too few classes for an archive worth keeping: they write none.
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"runs", "list", "--help"},
                new String[] {"--version"})) {
            assertThat(launch(null, args).exitCode()).isZero();
        }
        assertThat(files("labbook-cli-*")).containsExactly(jar);

        listWorks();
        if (Runtime.version().feature() >= 19) {
            assertThat(archives()).hasSize(1);
        } else {
            assertThat(archives()).isEmpty();
            oneDumpWritten();
            listWorks();   // checks the dump and puts it in place
            assertThat(files("labbook-cli-*.dump-*")).isEmpty();
            Path archive = archives().get(0);
            assertThat(archive.getFileName().toString())
                    .endsWith(".java-" + System.getProperty("java.version") + "." + Files.size(archive) + ".jsa");
        }
        assertThat(loadsTheClientFromTheArchive()).isTrue();

        // A jar newer than the archive (a rebuild): the old archive goes, a new one is made.
        Path old = archives().get(0);
        Files.setLastModifiedTime(old, FileTime.from(Files.getLastModifiedTime(jar).toInstant().minusSeconds(60)));
        listWorks();
        if (Runtime.version().feature() < 19) {
            assertThat(old).doesNotExist();
            listWorks();
        }
        assertThat(archives()).hasSize(1);
        assertThat(loadsTheClientFromTheArchive()).isTrue();
    }

    @Test
    void aCutOrForeignArchiveNeverBreaksACommand() throws Exception {
        listWorks();
        listWorks();
        Path archive = archives().get(0);

        // Cut in place (a full disk, a copy gone wrong): mapped, it would crash the JVM.
        cut(archive);
        long cutSize = Files.size(archive);
        listWorks();
        // Java 17: removed (its size is not the one in its name); 19+: the JVM wrote a whole one.
        assertThat(!Files.exists(archive) || Files.size(archive) > cutSize).isTrue();

        // Not an archive at all, under the name an archive of its size would have.
        for (Path a : archives()) {
            Files.delete(a);
        }
        byte[] junk = "not a class-data-sharing archive".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String base = jar.getFileName().toString().replaceFirst("\\.jar$", "") + ".java-"
                + System.getProperty("java.version");
        Files.write(targetDir.resolve(Runtime.version().feature() >= 19 ? base + ".jsa" : base + "." + junk.length + ".jsa"),
                junk);
        listWorks();
        listWorks();

        if (Runtime.version().feature() < 19) {
            // A dump whose JVM died while writing it (its pid is no process now).
            for (Path a : archives()) {
                Files.delete(a);
            }
            for (Path d : files("labbook-cli-*.dump-*")) {
                Files.delete(d);
            }
            listWorks();
            Path dump = files("labbook-cli-*.dump-*").get(0);
            cut(dump);
            listWorks();
            assertThat(dump).doesNotExist();
            assertThat(archives()).isEmpty();
            listWorks();
            listWorks();
            assertThat(archives()).hasSize(1);
            assertThat(loadsTheClientFromTheArchive()).isTrue();
        }
    }

    @Test
    void theServerCommandsNeedTheServerJarAndNeverTheClients() throws Exception {
        // This tree has only the client jar: `server` must not run it (nor build: LABBOOK_NO_BUILD).
        for (String[] args : List.of(new String[] {"server", "--help"}, new String[] {"migrate"},
                new String[] {"help", "new-token"})) {
            Result result = launch(null, args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(result.stderr()).contains("labbook-server-0.1.0-SNAPSHOT-all.jar is missing");
        }
        Result runsHelp = launch(null, "runs", "--help");
        assertThat(runsHelp.exitCode()).isZero();
        assertThat(runsHelp.stdout()).startsWith("Usage: labbook runs");
        assertThat(files("labbook-cli-*")).containsExactly(jar);
    }
}
