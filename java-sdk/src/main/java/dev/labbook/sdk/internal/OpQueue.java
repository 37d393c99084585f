package dev.labbook.sdk.internal;

import dev.labbook.api.v1.SpooledCall;
import dev.labbook.sdk.AppendWriter;
import dev.labbook.sdk.Backoff;
import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookOptions;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogsApi;
import dev.labbook.sdk.SpoolReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The non-metric calls of an online run (params, tags, description, table rows, log lines,
 * files, references, status), sent in submission order by one daemon thread.
 *
 * <p>Every kind but files and references is data: one or more {@code labbook.v1.SpooledCall}s,
 * made on this queue's thread in queue order (so that appends of log lines and table rows get
 * their writer's sequences in the order they are sent). A call that fails because the server is
 * unreachable, busy or not letting us in is retried (jittered backoff); once that lasts longer
 * than the spool window ({@link LabbookOptions#spoolAfter()}) the queued calls move to the
 * writer's {@link Spool} as {@code <n>.call} files, and while any are on disk every new call goes
 * to disk behind them as soon as it is queued (order is kept) until this thread has sent them
 * all. At {@link #close} whatever could not be sent is spooled rather than lost; the spool is
 * replayed by this thread when the server returns, or by {@link SpoolReplayer} in a later process.
 * Appends keep their writer id and sequence on disk, so one resent after a lost answer is stored
 * once.
 *
 * <p>Files and references are not spooled (the file may be gone by the time of a replay): during
 * an outage they wait in memory behind the spooled calls, and are lost with a warning when the run
 * closes before the server returns.
 *
 * <p>A call the server refuses (bad key, deleted run, a status change not allowed) is reported
 * once and skipped; a call that keeps failing with an unexpected error (INTERNAL, UNKNOWN) is
 * skipped after {@link #FAULT_ATTEMPTS} attempts so that it blocks nothing.
 */
public final class OpQueue {
    private static final Logger LOG = Logger.getLogger(OpQueue.class.getName());
    /** Attempts of a call that fails with an unexpected code before it is skipped. */
    public static final int FAULT_ATTEMPTS = 5;

    /** A call that is only sent live (files, references): never spooled. */
    public interface Op {
        void run(LabbookClient client);

        String describe();
    }

    /** One queued submission: a live-only op, or calls as data (made when first needed). */
    private static final class Entry {
        final Op live;
        final String what;
        final long submittedMs = System.currentTimeMillis();
        Supplier<List<SpooledCall>> maker;
        List<SpooledCall> calls;
        int sent; // calls confirmed

        Entry(Op live, String what, Supplier<List<SpooledCall>> maker) {
            this.live = live;
            this.what = what;
            this.maker = maker;
        }

        List<SpooledCall> calls() {
            if (calls == null) {
                calls = maker.get();
                maker = null;
            }
            return calls;
        }
    }

    private final LabbookClient client;
    private final String runId;
    private final Backoff backoff;
    private final Spool spool;
    private final long spoolAfterNanos;
    /** Waits for the metric batches sealed so far (before a status is set), up to a timeout. */
    private final java.util.function.LongPredicate metricsDelivered;
    private final long statusWaitMillis;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    /** This queue's {@code .call} files not sent yet, in order. */
    private final ArrayDeque<Path> disk = new ArrayDeque<>();
    private final ArrayDeque<LogLine> logLines = new ArrayDeque<>();
    /** The writer of this run's log lines: its own id, so their sequences are apart from metrics and rows. */
    private final AppendWriter logWriter = new AppendWriter("logs");
    private boolean logOpQueued;
    /** Entries ever added to the memory queue, and those that left it (sent, skipped or spooled). */
    private long submitted;
    private long retired;
    /** The thread is sending a file or reference (which close() interrupts rather than waits for). */
    private boolean runningLive;
    private volatile boolean stopped;
    private final Thread thread;
    private long outageSinceNanos = -1;
    private boolean warnedSpooling;
    private boolean warnedDisk;
    private long spooledCalls;
    /** The append whose last attempt failed without an answer ("writer id/sequence"): maybe committed. */
    private String unsure;
    private long droppedCalls;

    public OpQueue(LabbookClient client, String runId, Backoff backoff, Spool spool, java.time.Duration spoolAfter,
            java.util.function.LongPredicate metricsDelivered, long statusWaitMillis) {
        this.client = client;
        this.runId = runId;
        this.backoff = backoff;
        this.spool = spool;
        this.spoolAfterNanos = spoolAfter.toNanos();
        this.metricsDelivered = metricsDelivered;
        this.statusWaitMillis = statusWaitMillis;
        this.thread = new Thread(this::loop, "labbook-calls-" + runId);
        thread.setDaemon(true);
        thread.start();
    }

    /** A call that is only sent live (files, references). */
    public synchronized void submit(Op op) {
        add(new Entry(op, op.describe(), null));
    }

    /** Calls as data, made on this queue's thread when they are first sent or spooled. */
    public synchronized void submit(String what, Supplier<List<SpooledCall>> calls) {
        add(new Entry(null, what, calls));
    }

    /**
     * Log lines are batched: one queued entry sends every line logged until it is made (in calls
     * of up to {@value LogsApi#LINES_PER_MESSAGE} lines), so no line is sent after a call
     * submitted after it.
     */
    public synchronized void log(LogLine line) {
        logLines.add(line);
        if (!logOpQueued) {
            logOpQueued = true;
            add(new Entry(null, "log lines", () -> {
                List<LogLine> lines;
                synchronized (OpQueue.this) {
                    lines = new ArrayList<>(logLines);
                    logLines.clear();
                    logOpQueued = false;
                }
                return SpooledCalls.lines(runId, logWriter, lines);
            }));
        }
    }

    private void add(Entry entry) {
        queue.add(entry);
        submitted++;
        notifyAll();
    }

    /**
     * Waits until everything queued before this call is sent (or skipped) and nothing is on disk;
     * false on timeout. Calls queued meanwhile are not waited for: another thread logging text
     * without pause keeps the queue from ever being empty.
     */
    public synchronized boolean awaitIdle(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long target = submitted;
        while (retired < target || !disk.isEmpty()) {
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

    /** Calls written to the spool so far (for tests). */
    public synchronized long spooledCalls() {
        return spooledCalls;
    }

    /** Calls waiting in memory, not yet sent nor spooled (for tests). */
    public synchronized int inMemory() {
        return queue.size();
    }

    /** Calls waiting on disk (for tests). */
    public synchronized int onDisk() {
        return disk.size();
    }

    /**
     * Tries to send what is queued for up to the timeout, then stops the thread and writes what
     * is left (but files and references) to the spool. Does not release the spool's lock.
     */
    public void close(long timeoutMillis) {
        awaitIdle(timeoutMillis);
        synchronized (this) {
            stopped = true;
            notifyAll();
            if (runningLive) {
                thread.interrupt(); // an upload still going after the close timeout is abandoned, as before
            }
        }
        try {
            // a call on its way ends within the call timeout; the thread does not wait for anything else
            thread.join(Math.max(1000, client.options().callTimeout().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            int lost = 0;
            spoolMemory();
            for (Entry e : queue) {
                lost++;
                LOG.warning(() -> "labbook: " + e.what + " of run " + runId
                        + " could not be sent before close and is lost (files and references are not spooled)");
            }
            queue.clear();
            retired += lost;
            droppedCalls += lost;
            if (!disk.isEmpty()) {
                LOG.warning(() -> "labbook: " + disk.size() + " calls of run " + runId
                        + " (params, tags, rows, log lines, description or status) could not be sent; they are"
                        + " spooled in " + spool.dir() + " and will be sent by the next Labbook.connect or"
                        + " `labbook sync --spool`");
            }
            disk.clear();
        }
    }

    /** Stops at once without sending or spooling anything more (as if the process were killed); for tests. */
    public void kill() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
    }

    private boolean inOutage() {
        return outageSinceNanos >= 0;
    }

    /**
     * Moves the spoolable entries of the memory queue to disk, in order, behind what is there
     * (files and references stay in memory). Stops at the first one that cannot be written: the
     * rest stays in memory so that the order on disk is the order of the calls. Holds the lock.
     */
    private synchronized void spoolMemory() {
        Iterator<Entry> it = queue.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.live != null) {
                continue;
            }
            List<SpooledCall> calls = e.calls();
            try {
                while (e.sent < calls.size()) {
                    SpooledCall call = SpooledCalls.withEndTime(calls.get(e.sent), e.submittedMs).toBuilder()
                            .setSpooledAtMs(System.currentTimeMillis()).build();
                    disk.add(spool.writeCall(call));
                    e.sent++;
                    spooledCalls++;
                }
            } catch (IOException | RuntimeException ex) {
                if (!warnedDisk) {
                    warnedDisk = true;
                    LOG.log(Level.WARNING, "labbook: cannot spool calls of run " + runId + " to " + spool.dir()
                            + "; keeping them in memory", ex);
                }
                return;
            }
            it.remove();
            retired++;
        }
        notifyAll();
    }

    private synchronized boolean hasSpoolable() {
        for (Entry e : queue) {
            if (e.live == null) {
                return true;
            }
        }
        return false;
    }

    private void loop() {
        int failures = 0;
        int faults = 0; // unexpected failures of the call at the head
        while (true) {
            Entry entry;
            Path file;
            synchronized (this) {
                while (queue.isEmpty() && disk.isEmpty() && !stopped) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                if (!disk.isEmpty()) {
                    spoolMemory(); // new calls go behind those on disk
                }
                file = disk.peek();
                entry = file == null ? queue.peek() : null;
                runningLive = entry != null && entry.live != null;
            }
            String what = entry != null ? entry.what : "spooled call " + file.getFileName();
            boolean done = false;
            try {
                if (file != null) {
                    sendFile(file, failures);
                } else {
                    sendEntry(entry, failures);
                }
                done = true;
                client.authTrouble().accepted();
                if (inOutage()) {
                    outageSinceNanos = -1;
                    warnedSpooling = false;
                }
            } catch (UnreadableCall e) {
                LOG.warning(() -> "labbook: " + e.getMessage() + "; dropping it");
                done = true;
            } catch (RuntimeException e) {
                Errors.Disposition disposition = Errors.disposition(e);
                client.authTrouble().refused(e);
                failures++;
                if (disposition == Errors.Disposition.FAULT && ++faults < FAULT_ATTEMPTS) {
                    disposition = Errors.Disposition.OUTAGE;
                }
                if (disposition != Errors.Disposition.OUTAGE) {
                    LOG.warning(() -> "labbook: server refused " + what + " of run " + runId + ": "
                            + e.getMessage() + "; skipping it");
                    done = true;
                    synchronized (this) {
                        droppedCalls++;
                    }
                } else {
                    onOutage(e);
                }
            }
            if (done) {
                failures = 0;
                faults = 0;
            }
            synchronized (this) {
                if (done) {
                    if (file != null) {
                        if (disk.peek() == file) {
                            disk.poll();
                        }
                        try {
                            Files.deleteIfExists(file);
                        } catch (IOException e) {
                            // replayed later: a param, tag or description again is the same; an append is skipped
                        }
                    } else if (queue.peek() == entry) {
                        queue.poll();
                        retired++;
                    }
                }
                runningLive = false;
                notifyAll();
            }
            if (!done && !pause(failures)) {
                return;
            }
        }
    }

    /** A spooled call file that cannot be read back: only that call is lost. */
    private static final class UnreadableCall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableCall(Path file, IOException cause) {
            super("cannot read spooled call " + file + ": " + cause, cause);
        }
    }

    private void sendFile(Path file, int failures) {
        SpooledCall call;
        try {
            call = Spool.readCall(file);
        } catch (IOException e) {
            throw new UnreadableCall(file, e);
        }
        if (SpooledCalls.isStatus(call)) {
            awaitMetrics(failures);
        }
        sendOnce(call);
    }

    /**
     * One attempt of a call. An append resent after an attempt without an answer first asks
     * {@code GetWriterState} and is skipped when the server committed it (no need to send its
     * data again; resending would be safe, the server skips a sequence it has).
     */
    private void sendOnce(SpooledCall call) {
        String key = SpooledCalls.appendKey(call);
        if (key != null && key.equals(unsure) && SpooledCalls.committed(client, call)) {
            unsure = null;
            return;
        }
        unsure = key;
        SpooledCalls.send(client, call);
        unsure = null;
    }

    private void sendEntry(Entry entry, int failures) {
        if (entry.live != null) {
            entry.live.run(client);
            return;
        }
        List<SpooledCall> calls;
        synchronized (this) {
            calls = entry.calls();
        }
        while (entry.sent < calls.size()) {
            SpooledCall call = calls.get(entry.sent);
            if (SpooledCalls.isStatus(call)) {
                awaitMetrics(failures);
            }
            sendOnce(call);
            synchronized (this) {
                entry.sent++;
            }
        }
    }

    /**
     * A status is set once the metric batches sealed before it are delivered (or given up):
     * readers such as {@code labbook logs -f} and run watchers stop at a final status, and would
     * otherwise miss the last points. While the server is away, it waits a second at most (the
     * status is spooled behind the batches and replayed after them anyway).
     */
    private void awaitMetrics(int failures) {
        metricsDelivered.test(failures == 0 ? statusWaitMillis : Math.min(statusWaitMillis, 1000));
    }

    private void onOutage(RuntimeException e) {
        if (!inOutage()) {
            outageSinceNanos = System.nanoTime();
        }
        // the channel's own reconnect backoff grows to minutes; ours decides when to try again
        client.channel().resetConnectBackoff();
        if (System.nanoTime() - outageSinceNanos > spoolAfterNanos && hasSpoolable()) {
            long before;
            synchronized (this) {
                before = disk.size();
                spoolMemory();
            }
            if (!warnedSpooling && disk.size() > before) {
                warnedSpooling = true;
                String message = "labbook: server unreachable or refusing the credentials for "
                        + TimeUnit.NANOSECONDS.toMillis(spoolAfterNanos) + " ms; spooling calls of run " + runId
                        + " to " + spool.dir() + " (" + e.getMessage() + ")";
                if (Errors.isAuthFailure(e)) {
                    LOG.info(message);
                } else {
                    LOG.warning(message);
                }
            }
        }
    }

    /**
     * Backs off before the next attempt; calls queued meanwhile go to disk at once while the
     * spool holds any. False when the queue stopped.
     */
    private synchronized boolean pause(int failures) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff.delayMillis(Math.min(failures, 6)));
        while (!stopped) {
            if (!disk.isEmpty() && hasSpoolable()) {
                spoolMemory();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }
}
