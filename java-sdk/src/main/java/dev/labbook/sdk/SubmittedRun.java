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
     * ended FAILED or CRASHED throws {@link RunFailedException}, which names the reason the
     * server recorded (e.g. {@code job_failed: OOMKilled: ...}, {@code lease_expired}) and, for a
     * local run, the runner's output file (Python's {@code raise_on_error}).
     */
    public RunInfo waitForCompletion(boolean showOutput, Duration timeout, boolean raiseOnError)
            throws TimeoutException {
        RunInfo run = waitForCompletion(showOutput, timeout);
        if (raiseOnError && (run.status() == RunStatus.FAILED || run.status() == RunStatus.CRASHED)) {
            StatusChange why = null;
            for (StatusChange c : client.runs().details(id()).statusHistory()) {
                if (c.to() == run.status()) {
                    why = c; // the last change into the final status
                }
            }
            throw new RunFailedException(run, why, runnerLog);
        }
        return run;
    }

    /**
     * As {@link #waitForCompletion(boolean, Duration)}, printing the lines to {@code out}
     * (null: nothing printed; the run's status is then watched, not its log).
     */
    public RunInfo waitForCompletion(PrintStream out, Duration timeout) throws TimeoutException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long offset = 0;
        while (true) {
            try {
                if (out == null) {
                    RunInfo ended = watchUntilEnded(deadline);
                    if (ended != null) {
                        return ended;
                    }
                } else {
                    offset = followUntilEnded(out, offset, deadline);
                }
            } catch (UnavailableException e) {
                sleepQuietly(REFOLLOW_MS); // the server restarts: follow again from where we were
            }
            RunInfo now = client.runs().get(id());
            if (ended(now)) {
                return now;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("run " + id() + " (" + name() + ") is still " + now.status()
                        + " after " + timeout + "; it goes on (cancel() stops it)");
            }
        }
    }

    /** Final, or CRASHED: its runner died without ending it and will not write again. */
    private static boolean ended(RunInfo run) {
        return run.status().isFinal() || run.status() == RunStatus.CRASHED;
    }

    /** The run once ended; null when the watch stopped first (deadline, broken stream). */
    private RunInfo watchUntilEnded(long deadline) {
        try (RunsApi.RunWatch watch = client.runs().watch(id())) {
            Thread timer = closeAt(deadline, watch);
            try {
                while (watch.hasNext()) {
                    RunInfo run = watch.next();
                    if (ended(run)) {
                        return run;
                    }
                }
                return null;
            } finally {
                timer.interrupt();
            }
        }
    }

    /**
     * Prints the log from {@code offset} until its stream ends (the run is final), the run is
     * CRASHED (a watch ends the follow: CRASHED is not final), or the deadline; returns the next offset.
     */
    private long followUntilEnded(PrintStream out, long offset, long deadline) {
        long next = offset;
        try (LogsApi.LogFollower follower = client.logs().follow(id(), offset);
                RunsApi.RunWatch watch = client.runs().watch(id())) {
            Thread timer = closeAt(deadline, follower);
            Thread watcher = new Thread(() -> {
                try {
                    while (watch.hasNext()) {
                        if (watch.next().status() == RunStatus.CRASHED) {
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
            try {
                while (follower.hasNext()) {
                    LogLine line = follower.next();
                    next = line.offset() + 1;
                    out.println(line.text());
                    out.flush();
                }
            } finally {
                timer.interrupt();
            }
        }
        return next;
    }

    /** Closes {@code stream} at the deadline (unless interrupted first). */
    private static Thread closeAt(long deadline, AutoCloseable stream) {
        Thread timer = new Thread(() -> {
            if (deadline == Long.MAX_VALUE) {
                return;
            }
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                stream.close();
            } catch (InterruptedException e) {
                // ended first
            } catch (Exception e) {
                // closing a stream that ended meanwhile
            }
        }, "labbook-wait-timeout");
        timer.setDaemon(true);
        timer.start();
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
