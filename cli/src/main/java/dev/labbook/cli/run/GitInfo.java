package dev.labbook.cli.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The git commit of a directory and whether its work tree has uncommitted changes. */
public record GitInfo(String commit, boolean dirty) {

    /** Empty when the directory is not in a git work tree or git is not installed. */
    public static Optional<GitInfo> of(Path dir) {
        Optional<String> head = git(dir, "rev-parse", "HEAD");
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> status = git(dir, "status", "--porcelain");
        return Optional.of(new GitInfo(head.get().strip(), status.map(s -> !s.isBlank()).orElse(false)));
    }

    private static Optional<String> git(Path dir, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
