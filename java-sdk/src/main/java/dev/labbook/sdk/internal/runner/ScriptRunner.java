package dev.labbook.sdk.internal.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the script to its end: output teed to the terminal and cut into log lines (stdout and
 * stderr, in arrival order), signals to {@code labbook run} forwarded to it (by {@link RunSignals},
 * installed by the caller before the script starts).
 */
public final class ScriptRunner {
    /** A partial line is sent once its stream has been quiet this long. */
    static final long PARTIAL_LINE_IDLE_MS = 300;
    /** After the script exits, how long its output pipes may stay open (held by its own children). */
    private static final long PIPE_DRAIN_MS = 5_000;

    /** How the script ended: its exit code, and the signal that canceled it (null if none). */
    public record Outcome(int exitCode, String cancelSignal, boolean endedMidLine) {
        public boolean canceled() {
            return cancelSignal != null;
        }
    }

    private ScriptRunner() {
    }

    public static Outcome run(List<String> command, Path workingDir, Map<String, String> env, OutputStream stdout,
            OutputStream stderr, Consumer<CapturedLine> lines, RunSignals signals)
            throws IOException, InterruptedException {
        ChildProcess child = ChildProcess.start(command, workingDir, env);
        signals.scriptStarted(child);
        LineAssembler out = new LineAssembler(CapturedLine.OutputStream.STDOUT, lines, System::currentTimeMillis);
        LineAssembler err = new LineAssembler(CapturedLine.OutputStream.STDERR, lines, System::currentTimeMillis);
        TerminalState terminal = new TerminalState();
        Thread outPump = pump(new OutputPump(child.process().getInputStream(), stdout, out, terminal), "stdout");
        Thread errPump = pump(new OutputPump(child.process().getErrorStream(), stderr, err, terminal), "stderr");
        ScheduledExecutorService partials = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labbook-partial-lines");
            t.setDaemon(true);
            return t;
        });
        partials.scheduleWithFixedDelay(() -> {
            out.flushIfIdle(PARTIAL_LINE_IDLE_MS);
            err.flushIfIdle(PARTIAL_LINE_IDLE_MS);
        }, 100, 100, TimeUnit.MILLISECONDS);
        try {
            int exitCode = child.waitFor();
            signals.scriptEnded();
            outPump.join(PIPE_DRAIN_MS);
            errPump.join(PIPE_DRAIN_MS);
            return new Outcome(exitCode, signals.beforeScriptEnded(), terminal.midLine());
        } finally {
            partials.shutdownNow();
            out.finish();
            err.finish();
        }
    }

    private static Thread pump(OutputPump pump, String name) {
        Thread thread = new Thread(pump, "labbook-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
