package dev.labbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code labbook} as a user would: a separate JVM on the test classpath (the same classes
 * the shaded jar holds), with its own environment, working directory, stdout and stderr files.
 */
final class Cli {
    private final Path workDir;
    private final Path outDir;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private int count;

    Cli(Path workDir, Path outDir, Map<String, String> env) {
        this(workDir, outDir, env, List.of());
    }

    /** With JVM flags, e.g. {@code -Duser.home=...} (Java takes the home directory from the passwd entry, not HOME). */
    Cli(Path workDir, Path outDir, Map<String, String> env, List<String> jvmArgs) {
        this.workDir = workDir;
        this.outDir = outDir;
        this.env = env;
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** The result of a finished command. */
    record Result(int exitCode, String stdout, String stderr, byte[] stdoutBytes) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** A started command whose output files can be read while it runs. */
    record Running(Process process, Path stdout, Path stderr) {
        String stdoutSoFar() throws IOException {
            return new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8);
        }

        Result await() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("labbook did not finish in 120 s: " + stdoutSoFar());
            }
            byte[] out = Files.readAllBytes(stdout);
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8), out);
        }
    }

    Result run(String... args) throws Exception {
        return start(args).await();
    }

    /** Runs with {@code input} on stdin (a pipe, as in {@code echo $TOKEN | labbook login}). */
    Result runWithStdin(String input, String... args) throws Exception {
        Path in = outDir.resolve("cli-stdin-" + (count + 1));
        Files.writeString(in, input);
        return start(in, args).await();
    }

    Running start(String... args) throws IOException {
        return start(Path.of("/dev/null"), args);
    }

    private Running start(Path stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmArgs);
        Optional<Path> archiveToMove = Optional.empty();
        if (SHADED_JAR.isPresent()) {
            // The jar users run, with a class-data-sharing archive of its classes: a CLI JVM
            // starts in about two thirds of the time, and these tests start hundreds of them.
            Optional<String> sharing = ClassSharing.flags();
            sharing.ifPresent(command::add);
            if (sharing.isPresent() && sharing.get().startsWith("-XX:ArchiveClassesAtExit=")) {
                archiveToMove = Optional.of(ClassSharing.DUMPING);
            }
            // No JVM warnings (e.g. an archive that no longer matches) among what tests read.
            command.add("-Xlog:disable");
            command.addAll(List.of("-cp", SHADED_JAR.get().toString(), LabbookCli.class.getName()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), LabbookCli.class.getName()));
        }
        command.addAll(List.of(args));
        int n = ++count;
        Path out = outDir.resolve("cli-" + n + ".out");
        Path err = outDir.resolve("cli-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin.toFile()));
        // COLUMNS too: tables fit it, and the test's own terminal must not cut what tests read.
        builder.environment().keySet().removeIf(k -> k.startsWith("LABBOOK_") || k.equals("PYTHONUNBUFFERED")
                || k.equals("COLUMNS"));
        builder.environment().putAll(env);
        Process process = builder.start();
        archiveToMove.ifPresent(dumped -> process.onExit().thenRun(ClassSharing::dumped));
        return new Running(process, out, err);
    }

    /** The shaded jar of this build (mvn verify packages it before the integration tests), if there is one. */
    private static final Optional<Path> SHADED_JAR = shadedJar();

    private static Optional<Path> shadedJar() {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("labbook-cli-.*-all\\.jar")).findFirst()
                    .map(Path::toAbsolutePath);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * One dynamic class-data-sharing archive of the shaded jar for all CLI tests (Java 17's
     * -XX:ArchiveClassesAtExit): the first command of the build writes it, the ones after it use
     * it; commands started while it is being written run without one.
     */
    private static final class ClassSharing {
        static final Path ARCHIVE = Path.of("target", "cli-it-classes.jsa").toAbsolutePath();
        static final Path DUMPING = Path.of("target", "cli-it-classes.jsa.dumping").toAbsolutePath();
        private static final Path CLAIM = Path.of("target", "cli-it-classes.jsa.claim").toAbsolutePath();

        static synchronized Optional<String> flags() {
            try {
                if (Files.isRegularFile(ARCHIVE) && Files.getLastModifiedTime(ARCHIVE)
                        .compareTo(Files.getLastModifiedTime(SHADED_JAR.orElseThrow())) < 0) {
                    // Made from an older jar, which the JVM would refuse: made again.
                    Files.deleteIfExists(ARCHIVE);
                    Files.deleteIfExists(CLAIM);
                }
            } catch (IOException e) {
                return Optional.empty();
            }
            if (Files.isRegularFile(ARCHIVE)) {
                return Optional.of("-XX:SharedArchiveFile=" + ARCHIVE);
            }
            try {
                // Atomic: one test JVM of the build writes the archive, even with forks.
                Files.createFile(CLAIM);
                return Optional.of("-XX:ArchiveClassesAtExit=" + DUMPING);
            } catch (IOException taken) {
                return Optional.empty();
            }
        }

        static void dumped() {
            try {
                if (Files.isRegularFile(DUMPING)) {
                    Files.move(DUMPING, ARCHIVE, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // No archive: the commands run without one.
            }
        }
    }
}
