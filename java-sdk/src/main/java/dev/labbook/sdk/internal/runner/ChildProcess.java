package dev.labbook.sdk.internal.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The script that {@code labbook run} starts, in a process group of its own when {@code setsid}
 * is available (Linux), so that:
 * <ul>
 *   <li>Ctrl-C in the terminal reaches only {@code labbook run}, which forwards it exactly once
 *       (otherwise the terminal and the forwarder would both interrupt the script, and a second
 *       KeyboardInterrupt would break its cleanup);</li>
 *   <li>a forwarded signal reaches the whole group, so a shell wrapper's children get it too, as
 *       they would from the terminal.</li>
 * </ul>
 * Without {@code setsid} the child shares the launcher's group and signals go to its pid only.
 * Stdin is inherited; stdout and stderr are pipes read by {@link OutputPump}s.
 */
public final class ChildProcess {
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private final Process process;
    private final boolean ownGroup;

    private ChildProcess(Process process, boolean ownGroup) {
        this.process = process;
        this.ownGroup = ownGroup;
    }

    public static ChildProcess start(List<String> command, Path workingDir, Map<String, String> extraEnv)
            throws IOException {
        Path setsid = SETSID.stream().filter(Files::isExecutable).findFirst().orElse(null);
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid.toString());
        }
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(extraEnv);
        // setsid(1) execs in place (a child of the JVM is never a group leader), so the pid is the
        // script's own and it leads its new group.
        return new ChildProcess(builder.start(), setsid != null);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a signal (INT, TERM, HUP, KILL…) to the script's process group, or to it alone. */
    public void signal(String name) {
        if (!process.isAlive()) {
            return;
        }
        String target = ownGroup ? "-" + process.pid() : Long.toString(process.pid());
        try {
            new ProcessBuilder("kill", "-s", name, "--", target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        } catch (IOException e) {
            process.destroy(); // no kill(1): SIGTERM through the JDK is the best we can do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the script; a script killed by signal N reports 128 + N, as shells do. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }
}
