package dev.labbook.server.domain;

import dev.labbook.server.domain.RunStatusChange.Reason;
import dev.labbook.server.store.TrackingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease expiry pass: a RUNNING run whose lease expired (its writers stopped renewing it)
 * becomes CRASHED, with a LEASE_EXPIRED entry in its status history. One transaction with a
 * single conditional UPDATE (status still RUNNING, lease before now): passes that run at the same
 * time, on one replica or several, crash each run once, since PostgreSQL re-checks the condition
 * of a row another transaction changed before updating it.
 */
public final class RunLeases {
    private static final Logger LOG = LoggerFactory.getLogger(RunLeases.class);

    private final TrackingStore store;
    private final Clock clock;

    public RunLeases(TrackingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** How often the pass runs for a lease: a fifth of it, at least every 100 ms. */
    public static Duration passInterval(Duration lease) {
        Duration fifth = lease.dividedBy(5);
        return fifth.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : fifth;
    }

    /** Marks every RUNNING run whose lease has expired CRASHED; returns their ids. */
    public List<UUID> expire() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return store.inTransaction(tx -> {
            List<UUID> crashed = tx.runs().crashExpired(now);
            for (UUID runId : crashed) {
                tx.runs().recordStatusChange(runId, new RunStatusChange(RunStatus.RUNNING, RunStatus.CRASHED, now,
                        Reason.LEASE_EXPIRED));
            }
            return crashed;
        });
    }

    /** {@link #expire()} for the background executor: logs what it did, and failures, which the next pass retries. */
    public void expireQuietly() {
        try {
            List<UUID> crashed = expire();
            if (!crashed.isEmpty()) {
                LOG.info("{} RUNNING runs whose lease expired are now CRASHED: {}", crashed.size(),
                        crashed.size() <= 10 ? crashed : crashed.subList(0, 10) + " ...");
            }
        } catch (RuntimeException e) {
            LOG.warn("run lease expiry pass failed; will retry", e);
        }
    }
}
