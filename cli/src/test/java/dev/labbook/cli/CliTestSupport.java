package dev.labbook.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Shared bits of the CLI's end-to-end tests. */
final class CliTestSupport {
    private CliTestSupport() {
    }

    /** Copies a script from src/test/resources/scripts into {@code dir}. */
    static Path script(Path dir, String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = CliTestSupport.class.getResourceAsStream("/scripts/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test script " + name);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Waits until {@code file} contains {@code text}, or fails after {@code seconds}. */
    static void awaitContains(Path file, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' did not appear in " + file + " within " + seconds + " s: "
                + (Files.exists(file) ? Files.readString(file) : "(no file)"));
    }

    /** Whether {@code pid} ignores SIGINT (as background jobs of non-interactive shells do). */
    static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    static void kill(long pid, String signal) throws Exception {
        new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start().waitFor();
    }
}
