package dev.labbook.sdk.internal.runner;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The git commit of a directory and whether its work tree has uncommitted changes. */
public record GitInfo(String commit, boolean dirty) {
    /** How long one git command may take before the source info goes without it. */
    private static final Duration GIT_TIMEOUT = Duration.ofSeconds(10);

    /** Empty when the directory is not in a git work tree or git is not installed. */
    public static Optional<GitInfo> of(Path dir) {
        return of(dir, "git", GIT_TIMEOUT);
    }

    static Optional<GitInfo> of(Path dir, String git, Duration timeout) {
        Optional<String> head = git(dir, git, timeout, "rev-parse", "HEAD");
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> status = git(dir, git, timeout, "status", "--porcelain");
        return Optional.of(new GitInfo(head.get().strip(), status.map(s -> !s.isBlank()).orElse(false)));
    }

    /**
     * Runs one git command. Its output goes to a temporary file, not a pipe: reading a pipe to its
     * end would wait as long as a hung git (or a child it left behind) keeps it open, before the
     * timeout is even looked at.
     */
    private static Optional<String> git(Path dir, String git, Duration timeout, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = git;
        System.arraycopy(args, 0, command, 1, args.length);
        Path out = null;
        try {
            out = Files.createTempFile("labbook-git-", ".out");
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(new String(Files.readAllBytes(out), StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            deleteQuietly(out);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover empty temp file is harmless
            }
        }
    }
}
