package dev.labbook.server.domain.log;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.UnavailableException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One streamed read of a run's log (see {@link LogService#open}). Work happens in steps on the
 * log service's scheduler, one step at a time: each step either reads one page in a short
 * transaction and sends it, or finds the log caught up and waits for a wake-up (an append on
 * this server, the poll timer, or the sink becoming ready again). At most one page is in memory.
 */
public final class LogSubscription {
    private final LogService service;
    private final LogQuery query;
    private final long upTo;
    private final LogSink sink;
    /** A step is queued or running; at most one at a time. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    /** Something happened since the running step started: run another. */
    private volatile boolean dirty;
    private final AtomicBoolean pollPending = new AtomicBoolean();
    private volatile ScheduledFuture<?> poll;
    // Touched only by steps, which never overlap.
    private long next;
    private long remaining;

    LogSubscription(LogService service, LogQuery query, long upTo, LogSink sink) {
        this.service = service;
        this.query = query;
        this.upTo = upTo;
        this.sink = sink;
        this.next = query.startOffset();
        this.remaining = query.limit() == 0 ? Long.MAX_VALUE : query.limit();
    }

    UUID runId() {
        return query.runId();
    }

    /** Starts delivering (on the service's scheduler, not on the calling thread). */
    public void start() {
        service.register(this, query.follow());
        if (done.get()) {
            service.unregister(this);
            return;
        }
        wake();
    }

    /** Asks for a step soon: new lines may exist, or the sink became ready. Cheap, never blocks. */
    public void wake() {
        if (done.get()) {
            return;
        }
        dirty = true;
        if (scheduled.compareAndSet(false, true)) {
            try {
                service.scheduler().execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The service is closing: end here (no step runs, so the sink is ours).
                drain();
            }
        }
    }

    /** Stops delivering (the client went away); the sink is not called again. */
    public void cancel() {
        finish();
    }

    public boolean isDone() {
        return done.get();
    }

    private void drain() {
        boolean again = false;
        try {
            if (!done.get()) {
                dirty = false;
                again = step();
            }
        } catch (RuntimeException e) {
            if (finish()) {
                sink.fail(e);
            }
        } finally {
            scheduled.set(false);
        }
        if (!done.get() && (again || dirty)) {
            wake();
        }
    }

    /** One step; true when another can run at once (it is queued, not looped, for fairness). */
    private boolean step() {
        if (service.isClosed()) {
            if (finish()) {
                sink.fail(new UnavailableException(ErrorReason.SHUTTING_DOWN, "the server is shutting down; read again from offset " + next,
                        null));
            }
            return false;
        }
        if (!sink.isReady()) {
            return false; // the sink's ready callback wakes us
        }
        int maxLines = (int) Math.min(LogLimits.PAGE_LINES, remaining);
        LogPage page = service.readPage(query.runId(), next, upTo, maxLines, query.minLevel());
        next = page.nextOffset();
        List<LogLine> lines = page.lines();
        if (!lines.isEmpty()) {
            remaining -= lines.size();
            sink.send(lines);
            if (remaining == 0) {
                complete();
                return false;
            }
            return true;
        }
        if (!page.atEnd()) {
            return true; // a level filter skipped a window of lines
        }
        if (!query.follow() || page.runClosed()) {
            complete();
            return false;
        }
        schedulePoll();
        return false;
    }

    private void complete() {
        if (finish()) {
            sink.complete();
        }
    }

    private void schedulePoll() {
        // The flag is cleared when the timer fires, before it wakes us: a step run by that wake-up
        // (even while the timer task has not returned yet) can always schedule the next poll.
        if (pollPending.compareAndSet(false, true)) {
            try {
                poll = service.scheduler().schedule(() -> {
                    pollPending.set(false);
                    wake();
                }, service.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                pollPending.set(false);
                dirty = true; // closing: the next step ends the subscription
            }
        }
    }

    /** Marks the subscription done; true for the one caller that did. */
    private boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        service.unregister(this);
        ScheduledFuture<?> pending = poll;
        if (pending != null) {
            pending.cancel(false);
        }
        return true;
    }
}
