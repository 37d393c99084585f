package dev.labbook.sdk;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A submitted script's run (Azure's {@code Run} returned by {@code experiment.submit}), returned
 * at once: the run is QUEUED until its runner starts it. Wait for it with
 * {@link #waitForCompletion}, stop it with {@link #cancel()}. Thread-safe.
 */
public final class SubmittedRun {
    /** How long to wait before following the log again after its stream broke (server restart). */
    private static final long REFOLLOW_MS = 1_000;

    private final LabbookClient client;
    private final RunInfo submitted;
    private final String computeTarget;
    private final Submission submission;
    private final Path runnerLog;

    SubmittedRun(LabbookClient client, RunInfo submitted, String computeTarget, Submission submission,
            Path runnerLog) {
        this.client = client;
        this.submitted = submitted;
        this.computeTarget = computeTarget;
        this.submission = submission;
        this.runnerLog = runnerLog;
    }

    public String id() {
        return submitted.id();
    }

    public String name() {
        return submitted.name();
    }

    /** The run as it was when submitted (QUEUED). */
    public RunInfo submittedRun() {
        return submitted;
    }

    /** {@value ScriptRunConfig#LOCAL} or the server target's name. */
    public String computeTarget() {
        return computeTarget;
    }

    /** The server's record of the submission (its Kubernetes Job's name); empty for a local run. */
    public Optional<Submission> submission() {
        return Optional.ofNullable(submission);
    }

    /**
     * The file holding the local runner's own output (and the script's, as it was shown); empty
     * for a server target. The run's log holds the script's output in both cases.
     */
    public Optional<Path> runnerLog() {
        return Optional.ofNullable(runnerLog);
    }

    /** The run's page in the web UI; empty when the server has no UI. */
    public Optional<String> portalUrl() {
        return client.server().info().runUrl(id());
    }

    /** The run as it is now. */
    public RunInfo refresh() {
        return client.runs().get(id());
    }

    /**
     * Cancels the run (CancelRun): the local runner sees it and ends the script (TERM, then KILL
     * after 10 s); for a server target the server deletes the Job. Returns the run, CANCELED.
     */
    public RunInfo cancel() {
        return client.runs().cancel(id());
    }

    /**
     * Follows the run's log live until the run has ended, printing each line to
     * {@code System.out} when {@code showOutput}; returns the run with its final status
     * (COMPLETED, FAILED or CANCELED; CRASHED when its runner died without ending it). A FAILED
     * run is returned, not thrown: check {@link RunInfo#status()}, or use
     * {@link #waitForCompletion(boolean, Duration, boolean)}.
     *
     * @param timeout null: no limit
     * @throws TimeoutException the run had not ended within {@code timeout}; it goes on
     */
    public RunInfo waitForCompletion(boolean showOutput, Duration timeout) throws TimeoutException {
        return waitForCompletion(showOutput ? System.out : null, timeout);
    }

    /**
     * As {@link #waitForCompletion(boolean, Duration)}; with {@code raiseOnError} a run that
     * ended FAILED or CRASHED throws {@link RunFailedException} (Python's {@code raise_on_error}).
     */
    public RunInfo waitForCompletion(boolean showOutput, Duration timeout, boolean raiseOnError)
            throws TimeoutException {
        RunInfo run = waitForCompletion(showOutput, timeout);
        if (raiseOnError && (run.status() == RunStatus.FAILED || run.status() == RunStatus.CRASHED)) {
            throw new RunFailedException(run);
        }
        return run;
    }

    /**
     * As {@link #waitForCompletion(boolean, Duration)}, printing the lines to {@code out}
     * (null: nothing printed).
     */
    public RunInfo waitForCompletion(PrintStream out, Duration timeout) throws TimeoutException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long offset = 0;
        while (true) {
            try (LogsApi.LogFollower follower = client.logs().follow(id(), offset);
                    RunsApi.RunWatch watch = client.runs().watch(id())) {
                // The log's stream ends when the run is final; CRASHED is not final, so a watch
                // ends the follow then (a runner that died will not write again).
                Thread stopper = stopper(follower, watch, deadline);
                try {
                    while (follower.hasNext()) {
                        LogLine line = follower.next();
                        offset = line.offset() + 1;
                        if (out != null) {
                            out.println(line.text());
                            out.flush();
                        }
                    }
                } finally {
                    stopper.interrupt();
                }
            } catch (UnavailableException e) {
                sleepQuietly(REFOLLOW_MS); // the server restarts: follow again from where we were
            }
            RunInfo now = client.runs().get(id());
            if (now.status().isFinal() || now.status() == RunStatus.CRASHED) {
                return now;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("run " + id() + " (" + name() + ") is still " + now.status()
                        + " after " + timeout + "; it goes on (cancel() stops it)");
            }
        }
    }

    /** Closes the follower at the deadline, or when the watched run becomes CRASHED. */
    private static Thread stopper(LogsApi.LogFollower follower, RunsApi.RunWatch watch, long deadline) {
        Thread timer = new Thread(() -> {
            long left = deadline - System.nanoTime();
            if (deadline == Long.MAX_VALUE) {
                return;
            }
            try {
                Thread.sleep(Math.max(0, left / 1_000_000), (int) Math.max(0, left % 1_000_000));
                follower.close();
            } catch (InterruptedException e) {
                // the follow ended first
            }
        }, "labbook-wait-timeout");
        timer.setDaemon(true);
        timer.start();
        Thread watcher = new Thread(() -> {
            try {
                while (watch.hasNext()) {
                    RunInfo run = watch.next();
                    if (run.status() == RunStatus.CRASHED) {
                        follower.close();
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // the watch broke or was closed: the follow decides
            }
        }, "labbook-wait-watch");
        watcher.setDaemon(true);
        watcher.start();
        return timer;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "SubmittedRun[" + id() + " " + name() + " on " + computeTarget + "]";
    }
}
