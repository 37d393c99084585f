package dev.labbook.sdk.internal;

import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.LabbookOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The background side of metric logging for one run. Sealed blocks get the writer's next
 * sequence (1, 2, 3...) and wait in an ordered queue; a daemon thread sends them in rounds over
 * {@code LogMetrics} streams, and a round's batches leave the queue only once the server's
 * response confirms them. After a failed round it asks {@code GetWriterState}, drops what the
 * server committed and resends the rest in order (the server skips anything it already has, so
 * every point is stored exactly once). While the server stays unreachable for
 * {@code spoolAfter}, queued batches move to the on-disk {@link Spool}; they are sent from there,
 * in sequence order, once the server is back, or by a later process if this one exits first.
 */
public final class MetricSender implements MetricRecorder.BlockSink {
    private static final Logger LOG = Logger.getLogger(MetricSender.class.getName());
    /** Points sent per stream before waiting for the server's confirmation. */
    private static final long ROUND_POINTS = 2_000_000;
    /** Attempts of one batch that keeps failing with an unexpected code (INTERNAL, UNKNOWN...) before it is dropped. */
    public static final int FAULT_ATTEMPTS = 5;

    /** A spooled batch whose file cannot be read back: only that batch is lost. */
    private static final class UnreadableBatch extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Pending pending;

        UnreadableBatch(Pending pending, IOException cause) {
            super("cannot read spooled batch " + pending.file + ": " + cause, cause);
            this.pending = pending;
        }
    }

    private static final class Pending {
        final long sequence;
        final int points;
        PointBlock block; // null once spooled
        Path file;        // set once spooled

        Pending(long sequence, PointBlock block) {
            this.sequence = sequence;
            this.points = block.size();
            this.block = block;
        }
    }

    private final LabbookClient client;
    private final String runId;
    private final String writerId = "java-" + UUID.randomUUID();
    private final Supplier<List<String>> keyNames;
    private final LabbookOptions options;
    private final Spool spool;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Object lock = new Object();
    private final Thread thread;
    private long nextSequence = 1;
    private long memoryPoints;
    private long faultSequence = -1;
    private int faultCount;
    private boolean closing;
    private volatile boolean stopped;
    private volatile long outageSinceNanos = -1;
    private boolean warnedSpooling;
    private long spooledBatches;
    private long droppedBatches;

    public MetricSender(LabbookClient client, String runId, Supplier<List<String>> keyNames, LabbookOptions options) {
        this.client = client;
        this.runId = runId;
        this.keyNames = keyNames;
        this.options = options;
        this.spool = Spool.forWriter(options.spoolDir(), runId, writerId);
        this.thread = new Thread(this::loop, "labbook-metrics-" + runId);
        thread.setDaemon(true);
        thread.start();
    }

    public String writerId() {
        return writerId;
    }

    /** The writer's spool directory (shared with the run's call queue); released by the owner. */
    public Spool spool() {
        return spool;
    }

    /** True while the metric stream fails (since its first failure until its next success). */
    public boolean inOutage() {
        return outageSinceNanos >= 0;
    }

    /** Stops the thread at once, sending and spooling nothing more (a killed process, for tests). */
    public void kill() {
        synchronized (lock) {
            closing = true;
            stopped = true;
            lock.notifyAll();
        }
    }

    /**
     * Queues a sealed block. When the in-memory queue is full, waits up to
     * {@code bufferFullWait} for room, then writes the batch to the spool instead (so a caller
     * never waits longer than that, whatever the server does).
     */
    @Override
    public void accept(PointBlock block) {
        synchronized (lock) {
            Pending p = new Pending(nextSequence++, block);
            long deadline = System.nanoTime() + options.bufferFullWait().toNanos();
            while (memoryPoints + p.points > options.bufferPoints() && !stopped) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (memoryPoints + p.points > options.bufferPoints() || stopped) {
                spoolOne(p, false);
            } else {
                memoryPoints += p.points;
            }
            queue.add(p);
            lock.notifyAll();
        }
    }

    /** Waits until every batch queued so far is confirmed by the server; false on timeout. */
    public boolean awaitDelivered(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            long target = nextSequence - 1;
            while (!doneUpTo(target) && !stopped) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return doneUpTo(target);
        }
    }

    /** Every batch up to {@code sequence} left the queue (confirmed by the server, or dropped). */
    private boolean doneUpTo(long sequence) {
        return queue.isEmpty() || queue.peek().sequence > sequence;
    }

    /**
     * Stops the thread after trying to deliver for up to the timeout; whatever is still unsent
     * is written to the spool (replayed by the next {@code Labbook.connect}). The owner releases
     * the spool afterwards.
     */
    public void close(long timeoutMillis) {
        boolean delivered = awaitDelivered(timeoutMillis);
        synchronized (lock) {
            closing = true;
            stopped = true;
            lock.notifyAll();
        }
        try {
            thread.join(Math.max(1000, client.options().callTimeout().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            int left = 0;
            for (Pending p : queue) {
                if (p.file == null) {
                    spoolOne(p, true);
                }
                left++;
            }
            if (!delivered && left > 0) {
                LOG.warning(() -> "labbook: " + queue.size() + " metric batches of run " + runId
                        + " could not be sent; they are spooled in " + spool.dir()
                        + " and will be sent by the next Labbook.connect");
            }
            queue.clear();
        }
    }

    public long spooledBatches() {
        synchronized (lock) {
            return spooledBatches;
        }
    }

    /** Batches queued in memory, neither confirmed nor spooled (for tests). */
    public long batchesInMemory() {
        synchronized (lock) {
            return queue.stream().filter(p -> p.file == null).count();
        }
    }

    public long droppedBatches() {
        synchronized (lock) {
            return droppedBatches;
        }
    }

    /** Moves a batch from memory to disk; {@code counted}: its points are in memoryPoints. */
    private void spoolOne(Pending p, boolean counted) {
        try {
            p.file = spool.write(p.block.toBatch(runId, writerId, p.sequence, keyNames.get()));
            p.block = null;
            if (counted) {
                memoryPoints -= p.points;
            }
            spooledBatches++;
        } catch (IOException | RuntimeException e) {
            // the disk is not usable either: keep it in memory, the only place left
            if (!counted) {
                memoryPoints += p.points;
            }
            LOG.log(Level.WARNING, "labbook: cannot spool a metric batch to " + spool.dir(), e);
        }
    }

    private void loop() {
        int failures = 0;
        while (true) {
            List<Pending> round;
            synchronized (lock) {
                while (queue.isEmpty() && !stopped) {
                    try {
                        lock.wait(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped && (closing || queue.isEmpty())) {
                    return;
                }
                round = new ArrayList<>();
                long points = 0;
                for (Pending p : queue) {
                    if (points > 0 && points + p.points > ROUND_POINTS) {
                        break;
                    }
                    round.add(p);
                    points += p.points;
                }
            }
            try {
                sendRound(round);
                confirm(round.get(round.size() - 1).sequence);
                failures = 0;
                client.authTrouble().accepted();
                if (outageSinceNanos >= 0) {
                    outageSinceNanos = -1;
                    warnedSpooling = false;
                    LOG.info(() -> "labbook: metric stream of run " + runId + " is back");
                }
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                failures++;
                if (e instanceof UnreadableBatch unreadable) {
                    dropUnreadable(unreadable);
                    continue;
                }
                Errors.Disposition disposition = Errors.disposition(e);
                if (disposition == Errors.Disposition.REJECTED) {
                    if (!dropRejected(e)) {
                        sleepQuietly(failures);
                    }
                    continue;
                }
                if (disposition == Errors.Disposition.FAULT && dropAfterRepeatedFaults(e)) {
                    continue;
                }
                client.authTrouble().refused(e);
                recoverAfterFailure(e);
                try {
                    options.client().backoff().sleep(Math.min(failures, 6));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void sendRound(List<Pending> round) {
        long timeout = client.options().callTimeout().toMillis();
        ClientStream<LogMetricsRequest, LogMetricsResponse> stream = ClientStream
                .open(MetricServiceGrpc.newStub(client.channel())::logMetrics);
        try {
            for (Pending p : round) {
                stream.send(LogMetricsRequest.newBuilder().setBatch(batchOf(p)).build(), timeout);
            }
            stream.finish(timeout);
        } catch (RuntimeException e) {
            stream.cancel("round failed");
            throw e;
        }
    }

    private MetricBatch batchOf(Pending p) {
        PointBlock block;
        Path file;
        synchronized (lock) {
            block = p.block;
            file = p.file;
        }
        if (block != null) {
            return block.toBatch(runId, writerId, p.sequence, keyNames.get());
        }
        try {
            return Spool.read(file);
        } catch (IOException e) {
            throw new UnreadableBatch(p, e);
        }
    }

    /** Everything up to {@code sequence} is stored: drop it from memory and from the spool. */
    private void confirm(long sequence) {
        synchronized (lock) {
            while (!queue.isEmpty() && queue.peek().sequence <= sequence) {
                Pending p = queue.poll();
                if (p.file != null) {
                    try {
                        Files.deleteIfExists(p.file);
                    } catch (IOException e) {
                        // a leftover file is replayed later and skipped by the server as a duplicate
                    }
                } else {
                    memoryPoints -= p.points;
                }
            }
            lock.notifyAll();
        }
    }

    private void recoverAfterFailure(RuntimeException e) {
        if (outageSinceNanos < 0) {
            outageSinceNanos = System.nanoTime();
            LOG.fine(() -> "labbook: metric stream of run " + runId + " failed (" + e.getMessage() + "); retrying");
        }
        // the channel's own reconnect backoff grows to minutes; ours decides when to try again
        client.channel().resetConnectBackoff();
        try {
            confirm(SpooledCalls.writerState(client, runId, writerId));
        } catch (RuntimeException stateFailure) {
            // the server is still away; everything unconfirmed stays queued
        }
        if (System.nanoTime() - outageSinceNanos > options.spoolAfter().toNanos()) {
            synchronized (lock) {
                boolean any = false;
                for (Pending p : queue) {
                    if (p.file == null) {
                        spoolOne(p, true);
                        any = true;
                    }
                }
                if (any && !warnedSpooling) {
                    warnedSpooling = true;
                    if (Errors.isAuthFailure(e)) {
                        // the credentials warning (AuthTrouble) already said why and what to do
                        LOG.info(() -> "labbook: credentials refused for " + options.spoolAfter().toMillis()
                                + " ms; spooling metric batches of run " + runId + " to " + spool.dir());
                    } else {
                        LOG.warning(() -> "labbook: server unreachable for " + options.spoolAfter().toMillis()
                                + " ms; spooling metric batches of run " + runId + " to " + spool.dir());
                    }
                }
                lock.notifyAll();
            }
        }
    }

    private void sleepQuietly(int failures) {
        try {
            options.client().backoff().sleep(Math.min(failures, 6));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A batch the server refuses for good (run deleted, bad data): skip it, keep the rest.
     * Returns false when nothing could be decided (the server is away again).
     */
    private boolean dropRejected(RuntimeException e) {
        try {
            confirm(client.metrics().writerState(runId, writerId));
        } catch (RuntimeException stateFailure) {
            if (Errors.disposition(stateFailure) != Errors.Disposition.REJECTED) {
                return false; // try the round again later
            }
            // the run itself is gone or refused: nothing of it was committed that we need to know
        }
        // the server stops a stream at the first batch it refuses, after committing the ones
        // before it: once those are confirmed, the head of the queue is the refused batch
        synchronized (lock) {
            Pending bad = queue.peek();
            if (bad != null) {
                LOG.warning(() -> "labbook: server refused metric batch " + bad.sequence + " of run " + runId + ": "
                        + describe(e) + "; dropping it");
                droppedBatches++;
                confirm(bad.sequence);
            }
        }
        return true;
    }

    /**
     * An unexpected server error (INTERNAL, UNKNOWN...): retried like an outage, but once the
     * same batch failed {@link #FAULT_ATTEMPTS} times it is dropped so that it does not block
     * every later batch. Returns true when it dropped the batch.
     */
    private boolean dropAfterRepeatedFaults(RuntimeException e) {
        try {
            confirm(client.metrics().writerState(runId, writerId));
        } catch (RuntimeException stateFailure) {
            return false; // cannot tell which batch failed: retry
        }
        synchronized (lock) {
            Pending head = queue.peek();
            if (head == null) {
                return true;
            }
            if (head.sequence != faultSequence) {
                faultSequence = head.sequence;
                faultCount = 0;
            }
            if (++faultCount < FAULT_ATTEMPTS) {
                return false;
            }
        }
        return dropRejected(e);
    }

    /** A spooled batch that cannot be read back is dropped (its file deleted); the rest go on. */
    private void dropUnreadable(UnreadableBatch e) {
        synchronized (lock) {
            if (queue.remove(e.pending)) {
                try {
                    Files.deleteIfExists(e.pending.file);
                } catch (IOException io) {
                    // a later replay reports it again
                }
                droppedBatches++;
                LOG.warning(() -> "labbook: " + e.getMessage() + "; dropping metric batch " + e.pending.sequence
                        + " of run " + runId);
                lock.notifyAll();
            }
        }
    }

    private static String describe(RuntimeException e) {
        return e instanceof LabbookException || e instanceof io.grpc.StatusRuntimeException
                ? Errors.translate(e).getMessage() : e.toString();
    }
}
