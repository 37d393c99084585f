package dev.labbook.sdk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The non-metric calls of an online run (params, tags, description, table rows, log lines,
 * files, references, status), executed in submission order by one daemon thread. A call that
 * fails because the server is unreachable is retried (jittered backoff) until it succeeds or the
 * run closes; a call the server refuses (bad key, deleted run) is reported once and skipped.
 * These calls live in memory only: what is still queued when {@code close()} gives up is lost
 * and reported.
 */
final class OpQueue {
    private static final Logger LOG = Logger.getLogger(OpQueue.class.getName());
    /** Log lines per AppendLogs call made from the queue. */
    private static final int LOG_LINES_PER_OP = 5000;

    interface Op {
        void run(LabbookClient client);

        String describe();
    }

    private final LabbookClient client;
    private final String runId;
    private final Backoff backoff;
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private final ArrayDeque<LogLine> logLines = new ArrayDeque<>();
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

    /** Log lines are batched: one queued op sends every line logged until it runs. */
    synchronized void log(LogLine line) {
        logLines.add(line);
        if (!logOpQueued) {
            logOpQueued = true;
            queue.add(new LogOp());
            notifyAll();
        }
    }

    private final class LogOp implements Op {
        private List<LogLine> lines;

        @Override
        public void run(LabbookClient c) {
            if (lines == null) {
                synchronized (OpQueue.this) {
                    lines = new ArrayList<>();
                    while (!logLines.isEmpty() && lines.size() < LOG_LINES_PER_OP) {
                        lines.add(logLines.poll());
                    }
                    logOpQueued = false;
                    if (!logLines.isEmpty()) {
                        logOpQueued = true;
                        queue.add(new LogOp());
                    }
                }
            }
            c.logs().append(runId, lines);
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
            } catch (RuntimeException e) {
                if (Errors.isTransient(e)) {
                    failures++;
                } else {
                    LOG.warning(() -> "labbook: server refused " + op.describe() + " of run " + runId + ": "
                            + e.getMessage());
                    done = true;
                }
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
