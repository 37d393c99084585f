package dev.labbook.sdk.internal;

import dev.labbook.api.v1.RenewRunLeaseResponse;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.RunsApi;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The heartbeat of an online run: renews the run's lease on the server ({@code RenewRunLease})
 * so that the server does not mark it CRASHED while this process is alive. Driven by the run's
 * flush timer ({@link #tick}, about once a second), so logging never pays for it: a tick is two
 * volatile reads unless a renewal is due, and a renewal is one asynchronous unary call. The first
 * renewal goes out at the first tick; each answer says when the lease expires, and the next
 * renewal is due after a third of what is left (at most {@link #MAX_INTERVAL_MS}: 100 s with the
 * server's default lease of 300 s). A failed renewal is retried after the same interval, silently
 * (the server may be down: the run's other calls spool and retry meanwhile). Stops when the run
 * is finished or closed, or when the server says the run is QUEUED or finished.
 */
public final class LeaseRenewer {
    private static final Logger LOG = Logger.getLogger(LeaseRenewer.class.getName());
    /** The longest time between renewals: a third of the server's default lease. */
    public static final long MAX_INTERVAL_MS = 100_000;
    /** The shortest time between renewals, whatever the lease. */
    public static final long MIN_INTERVAL_MS = 200;

    private final RunsApi runs;
    private final String runId;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile long nextAtMs; // 0: at the first tick
    private volatile long intervalMs = MAX_INTERVAL_MS;
    private volatile boolean stopped;

    public LeaseRenewer(RunsApi runs, String runId) {
        this.runs = runs;
        this.runId = runId;
    }

    /** Renews the lease when a renewal is due and none is in flight. Never blocks, never throws. */
    public void tick(long nowMs) {
        if (stopped || nowMs < nextAtMs || !inFlight.compareAndSet(false, true)) {
            return;
        }
        try {
            runs.renewLeaseAsync(runId, this::renewed);
        } catch (RuntimeException e) {
            renewed(null, e);
        }
    }

    private void renewed(RenewRunLeaseResponse response, Throwable error) {
        long now = System.currentTimeMillis();
        if (error != null) {
            LOG.fine(() -> "labbook: lease renewal of run " + runId + " failed (will retry): " + error);
        } else if (response.getLeaseExpireTimeMs() > 0) {
            intervalMs = Math.max(MIN_INTERVAL_MS, Math.min(MAX_INTERVAL_MS,
                    (response.getLeaseExpireTimeMs() - now) / 3));
        } else {
            // QUEUED, or finished by someone else: nothing to keep alive
            stopped = true;
        }
        nextAtMs = now + intervalMs;
        inFlight.set(false);
    }

    public void stop() {
        stopped = true;
    }

    /** A renewer with a timer of its own (a daemon thread ticking every {@code tickMs}), for callers without a {@link Run}. */
    public static RunsApi.Heartbeat withTimer(RunsApi runs, String runId, long tickMs) {
        LeaseRenewer renewer = new LeaseRenewer(runs, runId);
        Thread timer = new Thread(() -> {
            while (!renewer.stopped) {
                renewer.tick(System.currentTimeMillis());
                try {
                    Thread.sleep(tickMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "labbook-lease-" + runId);
        timer.setDaemon(true);
        timer.start();
        return () -> {
            renewer.stop();
            timer.interrupt();
        };
    }
}
