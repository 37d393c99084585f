package dev.labbook.server.domain.access;

import dev.labbook.server.store.AccessStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log in the database, written off the call path: {@link #record} only queues (a
 * bounded queue, so a slow database never blocks calls), and one background thread writes what
 * arrived within {@link #BATCH_DELAY} (at most {@link #BATCH_SIZE} entries) with one INSERT.
 * When the queue is full, entries are dropped, counted ({@link #dropped}) and logged. A batch
 * that cannot be written is retried once, then counted as failed. {@link #close} writes what is
 * queued.
 */
public final class AuditWriter implements AuditLog, AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;
    public static final int BATCH_SIZE = 500;
    public static final Duration BATCH_DELAY = Duration.ofMillis(200);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);

    private final AccessStore store;
    private final int capacity;
    private final BlockingQueue<AuditEntry> queue;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Object progress = new Object();
    private final Thread thread;
    private long completed; // written or failed, guarded by progress
    private volatile boolean closed;
    private volatile boolean hurry;
    private volatile long lastDropWarning = System.nanoTime() - DROP_WARNING_INTERVAL_NANOS;

    public AuditWriter(AccessStore store) {
        this(store, DEFAULT_CAPACITY);
    }

    /** @param capacity entries queued at most; more are dropped */
    public AuditWriter(AccessStore store, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "labbook-audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void record(AuditEntry entry) {
        if (!closed && queue.offer(fit(entry))) {
            accepted.incrementAndGet();
            return;
        }
        long total = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDropWarning;
        if (now - last >= DROP_WARNING_INTERVAL_NANOS) {
            lastDropWarning = now;
            LOG.warn("audit log {}: {} entries dropped so far (latest: {} {} by {})",
                    closed ? "closed" : "queue full (" + capacity + " entries)", total, entry.method(), entry.code(),
                    entry.principal());
        }
    }

    /** Entries stored. */
    public long written() {
        return written.get();
    }

    /** Entries dropped because the queue was full (or the writer closed). */
    public long dropped() {
        return dropped.get();
    }

    /** Entries lost because the database refused them twice. */
    public long failed() {
        return failed.get();
    }

    /**
     * Waits until every entry recorded before this call is written (or failed), at most
     * {@code timeout}; returns whether they were.
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long target = accepted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (completed < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return false;
                }
                hurry = true;
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return true;
    }

    /** Writes what is queued, then stops; entries recorded after are dropped. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the audit log writer did not finish within {} s; {} entries not written",
                    CLOSE_TIMEOUT.toSeconds(), queue.size());
            thread.interrupt();
        }
    }

    private void run() {
        List<AuditEntry> batch = new ArrayList<>(BATCH_SIZE);
        try {
            while (!closed || !queue.isEmpty()) {
                AuditEntry first = queue.poll(BATCH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                collect(batch);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Adds what arrives within the batch delay (none when closing or flushing), up to a full batch. */
    private void collect(List<AuditEntry> batch) throws InterruptedException {
        long deadline = System.nanoTime() + BATCH_DELAY.toNanos();
        while (batch.size() < BATCH_SIZE) {
            queue.drainTo(batch, BATCH_SIZE - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= BATCH_SIZE || closed || hurry || left <= 0) {
                return;
            }
            AuditEntry next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void write(List<AuditEntry> batch) throws InterruptedException {
        try {
            insert(batch);
            written.addAndGet(batch.size());
        } catch (RuntimeException first) {
            LOG.warn("writing {} audit entries failed, retrying in {} s: {}", batch.size(), RETRY_DELAY.toSeconds(),
                    first.getMessage());
            Thread.sleep(closed ? 0 : RETRY_DELAY.toMillis());
            try {
                insert(batch);
                written.addAndGet(batch.size());
            } catch (RuntimeException second) {
                failed.addAndGet(batch.size());
                LOG.error("{} audit entries lost: the database refused them twice", batch.size(), second);
            }
        } finally {
            synchronized (progress) {
                completed += batch.size();
                if (queue.isEmpty()) {
                    hurry = false;
                }
                progress.notifyAll();
            }
        }
    }

    private void insert(List<AuditEntry> batch) {
        store.inTransaction(tx -> {
            tx.audit().insert(batch);
            return null;
        });
    }

    /** The entry cut to the widths of the audit_event columns (no field may make a batch fail). */
    static AuditEntry fit(AuditEntry e) {
        return new AuditEntry(e.time() == null ? java.time.Instant.now() : e.time(), cut(e.principal(), 256),
                cut(e.method(), 256), cut(e.project(), 64), cut(e.target(), 1024), cut(e.code(), 32),
                cut(e.peer(), 256));
    }

    private static String cut(String value, int max) {
        if (value == null) {
            return "";
        }
        String clean = value.indexOf('\0') < 0 ? value : value.replace('\0', '?');
        if (clean.length() <= max) {
            return clean;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end) + "...";
    }
}
