package dev.labbook.sdk.internal.runner;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the runner of a local submission ({@link RunnerMain}) as a process of its own: a JVM on
 * this SDK's class path, in the source directory, in a session of its own ({@code setsid}) with
 * stdin from {@code /dev/null} and its output in a file, so that it goes on when the submitting
 * JVM exits or its terminal is closed, and a Ctrl-C meant for the submitter does not reach it.
 */
public final class LocalLauncher {
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));
    /** A runner is a small, short-lived JVM: fast start, little memory. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-Xmx256m");

    /** The started runner: its process and the file holding its output (the script's too). */
    public record Started(Process process, Path log) {
    }

    private LocalLauncher() {
    }

    /**
     * The command that runs {@code script} (relative to {@code dir}) with {@code args}: {@code
     * python3} for {@code .py}, this JVM's {@code java} on this JVM's class path for a {@code .java}
     * source file (single-file source launch: the script can use this SDK), the file itself
     * otherwise.
     */
    public static List<String> scriptCommand(Path dir, String script, List<String> args) {
        List<String> command = new ArrayList<>();
        if (script.endsWith(".py")) {
            command.add("python3");
            command.add(script);
        } else if (script.endsWith(".java")) {
            // with the submitter's class path, so that the script finds this SDK (Run.getContext())
            command.add(javaExecutable());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(script);
        } else {
            command.add(dir.resolve(script).toAbsolutePath().normalize().toString());
        }
        command.addAll(args);
        return command;
    }

    /**
     * Starts {@code java ... RunnerMain -- command} in {@code dir} with {@code env} added to this
     * process's environment; the runner's output goes to {@code log}.
     */
    public static Started start(Path dir, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        List<String> argv = new ArrayList<>();
        SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> argv.add(p.toString()));
        argv.add(javaExecutable());
        argv.addAll(JVM_OPTIONS);
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(RunnerMain.class.getName());
        argv.add("--");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new Started(builder.start(), log);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
