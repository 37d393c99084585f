package dev.labbook.sdk.internal.runner;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Sends captured lines to the run's log in arrival order, in batches (up to {@link #MAX_BATCH}
 * lines, or what arrived within {@link #LINGER_MS}), from one thread so that order is kept.
 *
 * <p>The script must never wait for the server: lines queue in memory (bounded; beyond
 * {@link #MAX_QUEUED} waiting lines the newest are dropped and counted). While the server is
 * unreachable (a transient error: restart, outage) the batch at the head is retried with backoff
 * up to {@link #MAX_BACKOFF_MS}, so output survives a server restart; after the script ends,
 * {@link #drain} bounds the wait. A batch refused for good is retried once, then dropped with one
 * warning on stderr. A retried batch is the same delivery (see {@link LogWriter}), so a batch
 * whose answer was lost is not stored twice. The terminal copy of the output is never affected.
 */
public final class LogShipper implements Consumer<CapturedLine>, AutoCloseable {
    /** Makes a batch of lines ready to go to the run's log. */
    @FunctionalInterface
    public interface LogWriter {
        /**
         * The delivery of one batch: the shipper calls it, and again after a failure, until it
         * returns. Repeating it must not store a line twice (the launcher's gives each batch a
         * writer sequence once, here, so a resent batch is recognized by the server).
         */
        Delivery prepare(List<CapturedLine> lines);
    }

    /** Sends one prepared batch; throws when it was not stored. */
    @FunctionalInterface
    public interface Delivery {
        void send() throws Exception;
    }

    static final int MAX_BATCH = 1000;
    static final long LINGER_MS = 200;
    static final int MAX_QUEUED = 200_000;
    static final long MAX_BACKOFF_MS = 5_000;
    /** How long drain() waits for the sending thread to stop once interrupted. */
    static final long STOP_MS = 2_000;
    /** How long {@code labbook run} waits for the log once the script has ended. */
    public static final long DRAIN_MS = 10_000;

    private final BlockingQueue<CapturedLine> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final LogWriter writer;
    private final Predicate<Exception> transientError;
    private final PrintStream warnings;
    private final Thread thread;
    private volatile boolean closing;
    private volatile long giveUpAtNanos = Long.MAX_VALUE;
    private boolean warnedOutage;
    private boolean drained;
    private long dropped;
    private long failed;
    private long sent;

    public LogShipper(LogWriter writer, Predicate<Exception> transientError, PrintStream warnings) {
        this.writer = writer;
        this.transientError = transientError;
        this.warnings = warnings;
        this.thread = new Thread(this::loop, "labbook-log-shipper");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void accept(CapturedLine line) {
        if (!queue.offer(line)) {
            synchronized (this) {
                dropped++;
            }
        }
    }

    private void loop() {
        List<CapturedLine> batch = new ArrayList<>();
        try {
            while (!(closing && queue.isEmpty())) {
                CapturedLine first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
                while (batch.size() < MAX_BATCH) {
                    long left = deadline - System.nanoTime();
                    CapturedLine next = closing ? queue.poll() : queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                send(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // drain() gave up: the batch being sent (its append canceled) is not stored.
            synchronized (this) {
                failed += batch.size();
            }
        }
    }

    private void send(List<CapturedLine> batch) throws InterruptedException {
        long backoffMs = 200;
        int refusals = 0;
        Delivery delivery = writer.prepare(List.copyOf(batch));
        while (true) {
            try {
                delivery.send();
                synchronized (this) {
                    sent += batch.size();
                }
                return;
            } catch (Exception e) {
                if (e instanceof InterruptedException || Thread.interrupted()) {
                    // drain()'s interrupt: the SDK cancels the append (CANCELLED, interrupt flag
                    // kept); that is not the server refusing the batch.
                    throw new InterruptedException("log shipping stopped");
                }
                boolean outage = transientError.test(e);
                boolean retry = outage ? System.nanoTime() < giveUpAtNanos : ++refusals < 2;
                if (!retry) {
                    giveUp(batch, e);
                    return;
                }
                if (outage && !warnedOutage) {
                    warnedOutage = true;
                    warnings.println("labbook: warning: the server is unreachable (" + e.getMessage()
                            + "); output is kept and stored when it is back");
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private void giveUp(List<CapturedLine> batch, Exception e) {
        boolean first;
        synchronized (this) {
            first = failed == 0;
            failed += batch.size();
        }
        if (first) {
            warnings.println("labbook: warning: could not store output in the run's log (" + e.getMessage()
                    + "); the output continues on the terminal");
        }
    }

    /**
     * Sends what is queued, waiting at most {@code timeoutMs} (plus {@link #STOP_MS}); returns the
     * lines stored in all. At the deadline the sending thread is interrupted, which cancels an
     * append still waiting for its own, longer call deadline (an unreachable server that does not
     * refuse connections): no line may be stored after the caller goes on to set the run's status.
     * Interrupted, it stops sending at once, still warns about what was not stored, then throws.
     */
    public long drain(long timeoutMs) throws InterruptedException {
        giveUpAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        closing = true;
        boolean interrupted = false;
        try {
            thread.join(Math.max(1, timeoutMs));
        } catch (InterruptedException e) {
            interrupted = true; // the caller was canceled: stop sending now, but still count
        }
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(STOP_MS);
        }
        synchronized (this) {
            if (!drained) {
                drained = true;
                long lost = dropped + failed + queue.size();
                if (lost > 0) {
                    warnings.println("labbook: warning: " + lost + " output line(s) were not stored in the run's log");
                }
            }
        }
        if (interrupted) {
            throw new InterruptedException("log drain canceled");
        }
        synchronized (this) {
            return sent;
        }
    }

    /** Drains with the usual 10 s bound, unless {@link #drain} was called already. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            if (drained) {
                return;
            }
        }
        drain(DRAIN_MS);
    }
}
