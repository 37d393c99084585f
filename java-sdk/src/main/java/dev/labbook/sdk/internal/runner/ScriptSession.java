package dev.labbook.sdk.internal.runner;

import dev.labbook.sdk.AppendWriter;
import dev.labbook.sdk.Artifact;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogStream;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.UploadOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A script run as a started run, from the script's start to the run's final status: what
 * {@code labbook run} and the runner of local submissions ({@code RunnerMain}) both do. Order at
 * the end matters: the log is drained and the outputs uploaded <em>before</em> the final status
 * is set, so that a follower ({@code logs -f}, {@code waitForCompletion}) that stops at the status
 * has seen every line and every output is listed once the run shows as finished. From the moment
 * the run exists until its status is set, signals are handled by the caller's {@link RunSignals}:
 * whatever happens, the run gets a final status.
 */
public final class ScriptSession {
    /** Progress of the outputs upload (the CLI draws a bar); closed when the upload ends. */
    public interface UploadProgress extends AutoCloseable {
        void update(long done, long total);

        @Override
        void close();
    }

    /**
     * What to run and where.
     *
     * @param outputsDir the directory whose fresh files become OUTPUT artifacts {@code outputs/<rel>}
     * @param shownOutputsDir how messages name it ({@code outputs/})
     */
    public record Settings(List<String> command, Path workingDir, Map<String, String> env, Path outputsDir,
            String shownOutputsDir, boolean uploadAllOutputs) {
        public Settings {
            command = List.copyOf(command);
            env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        }
    }

    /**
     * How it ended.
     *
     * @param finished the run with its final status; null when the status could not be set
     *     (the error was printed)
     * @param scriptExitCode the script's own exit code
     * @param exitCode what the caller exits with: the script's, or a signal's as shells report it
     * @param cancelSignal the signal that canceled the run (null if none)
     */
    public record Result(RunInfo finished, RunStatus status, int scriptExitCode, int exitCode, String cancelSignal,
            List<Artifact> uploaded) {
    }

    private final LabbookClient labbook;
    private final RunInfo run;
    private final Settings settings;
    private final RunSignals signals;
    private final PrintStream messages;
    private final Supplier<UploadProgress> progress;
    private final Function<Throwable, String> describe;

    /**
     * @param messages where the session's own lines go ({@code labbook: warning: ...})
     * @param describe how an error is put in a message
     */
    public ScriptSession(LabbookClient labbook, RunInfo run, Settings settings, RunSignals signals,
            PrintStream messages, Supplier<UploadProgress> progress, Function<Throwable, String> describe) {
        this.labbook = labbook;
        this.run = run;
        this.settings = settings;
        this.signals = signals;
        this.messages = messages;
        this.progress = progress;
        this.describe = describe;
    }

    /** Runs the script (its output teed to {@code stdout}/{@code stderr}) and ends the run. */
    public Result run(OutputStream stdout, OutputStream stderr) throws InterruptedException {
        PrintStream err = messages;
        List<String> command = settings.command();
        ScriptRunner.Outcome outcome;
        // Outputs older than this were left by an earlier run (OutputsSelection).
        long startedMs = System.currentTimeMillis();
        // one writer for the captured output: each batch gets its sequences once, so a batch
        // resent after a lost answer is recognized by the server instead of stored twice
        AppendWriter logWriter = new AppendWriter("run-logs");
        LogShipper shipper = new LogShipper(lines -> labbook.logs().prepare(run.id(), logWriter,
                toLogLines(lines))::send, ScriptSession::isOutage, err);
        try {
            if (signals.beforeScriptEnded() != null) {
                // Canceled while the run was being created: the script is not started at all.
                outcome = new ScriptRunner.Outcome(RunSignals.exitCode(signals.beforeScriptEnded()),
                        signals.beforeScriptEnded(), false);
            } else {
                outcome = ScriptRunner.run(command, settings.workingDir(), settings.env(), stdout, stderr, shipper,
                        signals);
            }
        } catch (IOException e) {
            // Only without setsid(1), which itself exits 127 like a shell, does starting fail here.
            err.println("labbook: error: cannot start " + command.get(0) + ": " + e.getMessage());
            outcome = new ScriptRunner.Outcome(127, null, false);
        } catch (RuntimeException | InterruptedException | Error e) {
            shipper.close();
            failQuietly();
            throw e;
        }

        if (outcome.endedMidLine()) {
            err.println(); // our messages start on a line of their own
        }
        // The log is drained and the outputs uploaded before the status is set (see above); a
        // signal now cuts both short, and the run still gets its status: CANCELED.
        List<Artifact> uploaded = signals.finish(() -> {
            shipper.drain(LogShipper.DRAIN_MS);
            return uploadOutputs(startedMs);
        }).orElse(List.of());
        signals.settling(); // from here on the status is decided: later signals change nothing
        String lateSignal = outcome.canceled() ? null : signals.afterScriptEnded();
        if (lateSignal != null) {
            err.println("labbook: canceled by SIG" + lateSignal + " after the script ended; the rest of its log and "
                    + "outputs may be missing");
        }
        String cancelSignal = outcome.canceled() ? outcome.cancelSignal() : lateSignal;
        // Interrupted after a script that ended by itself: exit as a shell reports an interrupted command.
        int exitCode = lateSignal != null ? RunSignals.exitCode(lateSignal) : outcome.exitCode();
        RunStatus status = cancelSignal != null ? RunStatus.CANCELED
                : outcome.exitCode() == 0 ? RunStatus.COMPLETED : RunStatus.FAILED;
        RunInfo finished;
        try {
            finished = status == RunStatus.CANCELED ? labbook.runs().cancel(run.id())
                    : labbook.runs().finish(run.id(), status);
        } catch (LabbookException e) {
            // The script's exit code matters more to the caller than our bookkeeping.
            err.println("labbook: error: could not set run " + run.id() + " to " + status + ": " + describe.apply(e));
            finished = null;
        }
        return new Result(finished, status, outcome.exitCode(), exitCode, cancelSignal, uploaded);
    }

    /** Errors after which the same call may work a moment later (server restart, overload). */
    private static boolean isOutage(Exception e) {
        return e instanceof LabbookException le && switch (le.code()) {
            case "UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "RESOURCE_EXHAUSTED" -> true;
            default -> false;
        };
    }

    /** A bug in the launcher must not leave the run RUNNING forever. */
    private void failQuietly() {
        try {
            labbook.runs().finish(run.id(), RunStatus.FAILED);
        } catch (RuntimeException e) {
            messages.println("labbook: warning: could not mark run " + run.id() + " FAILED: " + describe.apply(e));
        }
    }

    private List<Artifact> uploadOutputs(long startedMs) {
        Path dir = settings.outputsDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Artifact> out = new ArrayList<>();
        try (UploadProgress bar = progress.get()) {
            OutputsSelection selection = OutputsSelection.of(dir, startedMs, settings.uploadAllOutputs());
            String skipped = selection.skippedMessage(dir, settings.shownOutputsDir());
            if (skipped != null) {
                messages.println("labbook: " + skipped);
            }
            long total = 0;
            for (Path f : selection.fresh()) {
                total += Files.size(f);
            }
            long done = 0;
            for (Path f : selection.fresh()) {
                String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                long before = done;
                long all = total;
                Artifact a = labbook.artifacts().upload(run.id(), f, "outputs/" + rel, UploadOptions.of(Direction.OUTPUT),
                        (d, t) -> bar.update(before + d, all));
                done += a.sizeBytes();
                out.add(a);
            }
            return out;
        } catch (RuntimeException | IOException e) {
            // The run still gets its status; the failure is reported, not fatal.
            messages.println(Thread.currentThread().isInterrupted() ? "labbook: warning: uploading outputs canceled"
                    : "labbook: warning: uploading outputs failed: " + describe.apply(e));
            return out;
        }
    }

    private static List<LogLine> toLogLines(List<CapturedLine> lines) {
        List<LogLine> out = new ArrayList<>(lines.size());
        for (CapturedLine l : lines) {
            boolean stderr = l.stream() == CapturedLine.OutputStream.STDERR;
            out.add(new LogLine(0, l.timestampMs(), LogLevel.INFO,
                    stderr ? LogStream.STDERR : LogStream.STDOUT, l.text()));
        }
        return out;
    }
}
