package dev.labbook.sdk;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where a run's code came from. {@link #detect()} fills it for the current process. */
public record SourceInfo(String script, List<String> args, String gitCommit, boolean gitDirty, String host,
        String workingDir) {
    public static final SourceInfo EMPTY = new SourceInfo("", List.of(), "", false, "", "");

    public SourceInfo {
        script = script == null ? "" : script;
        args = args == null ? List.of() : List.copyOf(args);
        gitCommit = gitCommit == null ? "" : gitCommit;
        host = host == null ? "" : host;
        workingDir = workingDir == null ? "" : workingDir;
    }

    /**
     * The main class (or jar) and arguments from {@code sun.java.command}, the host name, the
     * working directory and the commit of the enclosing git checkout (read from {@code .git}
     * without running git; dirtiness is not detected and reported false).
     */
    public static SourceInfo detect() {
        String command = System.getProperty("sun.java.command", "");
        List<String> parts = command.isBlank() ? List.of() : List.of(command.strip().split("\\s+"));
        String script = parts.isEmpty() ? "" : parts.get(0);
        List<String> args = parts.size() > 1 ? parts.subList(1, parts.size()) : List.of();
        Path cwd = Path.of("").toAbsolutePath();
        return new SourceInfo(script, args, gitCommit(cwd), false, hostName(), cwd.toString());
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h.length() > 256 ? h.substring(0, 256) : h;
        } catch (IOException e) {
            return "";
        }
    }

    static String gitCommit(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            Path git = d.resolve(".git");
            if (Files.isDirectory(git)) {
                try {
                    String head = Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8).strip();
                    if (!head.startsWith("ref: ")) {
                        return head.matches("[0-9a-f]{1,64}") ? head : "";
                    }
                    String ref = head.substring(5);
                    Path refFile = git.resolve(ref);
                    if (Files.isRegularFile(refFile)) {
                        String c = Files.readString(refFile, StandardCharsets.UTF_8).strip();
                        return c.matches("[0-9a-f]{1,64}") ? c : "";
                    }
                    Path packed = git.resolve("packed-refs");
                    if (Files.isRegularFile(packed)) {
                        for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                            if (line.endsWith(" " + ref)) {
                                return line.substring(0, line.indexOf(' '));
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    return "";
                }
                return "";
            }
        }
        return "";
    }
}
