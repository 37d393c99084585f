package dev.labbook.sdk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The non-metric calls of an online run (params, tags, description, table rows, log lines,
 * files, references, status), executed in submission order by one daemon thread. A call that
 * fails because the server is unreachable, busy or not letting us in is retried (jittered
 * backoff) until it succeeds or the run closes; a call the server refuses (bad key, deleted run)
 * is reported once and skipped; a call that keeps failing with an unexpected error (INTERNAL,
 * UNKNOWN) is skipped after {@link #FAULT_ATTEMPTS} attempts so that it blocks nothing.
 * These calls live in memory only: what is still queued when {@code close()} gives up is lost
 * and reported.
 */
final class OpQueue {
    private static final Logger LOG = Logger.getLogger(OpQueue.class.getName());
    /** Attempts of a call that fails with an unexpected code before it is skipped. */
    static final int FAULT_ATTEMPTS = 5;

    interface Op {
        void run(LabbookClient client);

        String describe();
    }

    private final LabbookClient client;
    private final String runId;
    private final Backoff backoff;
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private final ArrayDeque<LogLine> logLines = new ArrayDeque<>();
    /** The writer of this run's log lines: its own id, so their sequences are apart from metrics and rows. */
    private final AppendWriter logWriter = new AppendWriter("logs");
    private boolean logOpQueued;
    private boolean running;
    private volatile boolean stopped;
    private final Thread thread;
    private int droppedOps;

    OpQueue(LabbookClient client, String runId, Backoff backoff) {
        this.client = client;
        this.runId = runId;
        this.backoff = backoff;
        this.thread = new Thread(this::loop, "labbook-calls-" + runId);
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void submit(Op op) {
        queue.add(op);
        notifyAll();
    }

    /**
     * Log lines are batched: one queued op sends every line logged until it runs (in calls of up
     * to {@value LogsApi#LINES_PER_MESSAGE} lines), so no line is sent after a call submitted after it.
     */
    synchronized void log(LogLine line) {
        logLines.add(line);
        if (!logOpQueued) {
            logOpQueued = true;
            queue.add(new LogOp());
            notifyAll();
        }
    }

    /**
     * Sends the lines waiting when it first runs, as one append of this queue's log writer: a
     * retry resends only the calls not confirmed, under their sequences, so no line is stored twice.
     */
    private final class LogOp implements Op {
        private PendingAppend append;

        @Override
        public void run(LabbookClient c) {
            if (append == null) {
                // take every waiting line now: lines logged later get an op after what was submitted meanwhile
                List<LogLine> lines;
                synchronized (OpQueue.this) {
                    lines = new ArrayList<>(logLines);
                    logLines.clear();
                    logOpQueued = false;
                }
                append = c.logs().prepare(runId, logWriter, lines);
            }
            append.send();
        }

        @Override
        public String describe() {
            return "log lines";
        }
    }

    /** Waits until the queue is empty and idle; false on timeout. */
    synchronized boolean awaitIdle(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!queue.isEmpty() || running) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || stopped) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    void close(long timeoutMillis) {
        awaitIdle(timeoutMillis);
        synchronized (this) {
            stopped = true;
            notifyAll();
            int lost = queue.size() + droppedOps;
            if (!queue.isEmpty()) {
                LOG.warning(() -> "labbook: " + queue.size() + " calls of run " + runId
                        + " (params, tags, rows, logs, files or status) could not be sent before close and are lost");
            }
            queue.clear();
            droppedOps = lost;
        }
        thread.interrupt();
    }

    private void loop() {
        int failures = 0;
        int faults = 0; // unexpected failures of the op at the head
        while (true) {
            Op op;
            synchronized (this) {
                while (queue.isEmpty() && !stopped) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                op = queue.peek();
                running = true;
            }
            boolean done = false;
            try {
                op.run(client);
                done = true;
                failures = 0;
                client.authTrouble().accepted();
            } catch (RuntimeException e) {
                Errors.Disposition disposition = Errors.disposition(e);
                client.authTrouble().refused(e);
                failures++;
                if (disposition == Errors.Disposition.FAULT && ++faults < FAULT_ATTEMPTS) {
                    disposition = Errors.Disposition.OUTAGE;
                }
                if (disposition != Errors.Disposition.OUTAGE) {
                    LOG.warning(() -> "labbook: server refused " + op.describe() + " of run " + runId + ": "
                            + e.getMessage() + "; skipping it");
                    done = true;
                }
            }
            if (done) {
                failures = 0;
                faults = 0;
            }
            synchronized (this) {
                if (done && queue.peek() == op) {
                    queue.poll();
                }
                running = false;
                notifyAll();
            }
            if (!done) {
                try {
                    backoff.sleep(Math.min(failures, 6));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
