package dev.labbook.sdk.internal.runner;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.RunsApi;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runner of a local submission, started detached by {@link LocalLauncher}:
 * {@code java -cp CLASSPATH dev.labbook.sdk.internal.runner.RunnerMain [--outputs DIR]
 * [--upload-all-outputs] -- COMMAND ARGS...} in the source directory, with the script-mode
 * variables ({@code LABBOOK_TRACKING_URI}, {@code _PROJECT}, {@code _EXPERIMENT}, {@code _RUN_ID},
 * {@code _RUN_NAME}) of a QUEUED run. It attaches to that run, starts it, keeps its lease, runs
 * COMMAND as {@code labbook run} does ({@link ScriptSession}: output captured into the run's log,
 * signals forwarded, {@code outputs/} uploaded, COMPLETED or FAILED from the exit code), ends the
 * script when the run is canceled elsewhere (TERM, then KILL after {@link #KILL_AFTER_MS}), and
 * exits with the script's exit code. The same contract as the Python SDK's
 * {@code python -m labbook.runner}.
 */
public final class RunnerMain {
    /** How long a script canceled elsewhere has for its cleanup before it is killed. */
    static final long KILL_AFTER_MS = 10_000;

    private RunnerMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Path outputs = null;
        boolean uploadAll = false;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--outputs" -> outputs = Path.of(args[++i]);
                case "--upload-all-outputs" -> uploadAll = true;
                default -> {
                    err.println("labbook runner: error: unknown option " + args[i]);
                    return 2;
                }
            }
        }
        List<String> command = i + 1 < args.length ? List.of(args).subList(i + 1, args.length) : List.of();
        String runId = env.getOrDefault("LABBOOK_RUN_ID", "");
        if (command.isEmpty() || runId.isBlank()) {
            err.println("labbook runner: error: needs LABBOOK_RUN_ID and a command after --");
            return 2;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path outputsDir = outputs != null ? outputs.toAbsolutePath() : cwd.resolve("outputs");
        try (LabbookClient labbook = LabbookClient.fromEnv();
                RunSignals signals = RunSignals.install()) {
            RunInfo run;
            try {
                run = labbook.runs().start(runId);
            } catch (LabbookException e) {
                err.println("labbook runner: error: cannot start run " + runId + ": " + e.getMessage());
                return 1;
            }
            err.printf("labbook runner: started run %s (%s) on %s: %s%n", run.id(), run.name(), labbook.target(),
                    String.join(" ", command));
            try (RunsApi.Heartbeat lease = labbook.runs().heartbeat(run.id());
                    RunsApi.RunWatch watch = labbook.runs().watch(run.id())) {
                watchForCancel(watch, signals);
                Map<String, String> scriptEnv = new LinkedHashMap<>();
                if (env.get("PYTHONUNBUFFERED") == null) {
                    scriptEnv.put("PYTHONUNBUFFERED", "1"); // lines in order and as they come (see labbook run)
                }
                ScriptSession.Settings settings = new ScriptSession.Settings(new ArrayList<>(command), cwd, scriptEnv,
                        outputsDir, outputs != null ? outputsDir + "/" : "outputs/", uploadAll);
                ScriptSession.Result result = new ScriptSession(labbook, run, settings, signals, err, () -> NO_PROGRESS,
                        Throwable::getMessage).run(out, err);
                err.printf("labbook runner: run %s %s (exit code %d%s)%n", run.id(), result.status(),
                        result.scriptExitCode(), result.cancelSignal() != null ? ", canceled by SIG"
                                + result.cancelSignal() : "");
                return result.exitCode();
            }
        }
    }

    /** A CancelRun from elsewhere (the submitter's {@code cancel()}, the UI) ends the script. */
    private static void watchForCancel(RunsApi.RunWatch watch, RunSignals signals) {
        Thread watcher = new Thread(() -> {
            try {
                while (watch.hasNext()) {
                    if (watch.next().status() == RunStatus.CANCELED) {
                        signals.canceledElsewhere(KILL_AFTER_MS);
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // the watch broke (server restart): the script goes on; its end sets the status
            }
        }, "labbook-run-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static final ScriptSession.UploadProgress NO_PROGRESS = new ScriptSession.UploadProgress() {
        @Override
        public void update(long done, long total) {
        }

        @Override
        public void close() {
        }
    };
}
