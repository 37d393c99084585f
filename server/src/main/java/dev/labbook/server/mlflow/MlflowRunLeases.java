package dev.labbook.server.mlflow;

import dev.labbook.api.v1.RenewRunLeaseRequest;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews a run's lease for MLflow clients, which know nothing of Labbook's leases: after a write
 * to a run, RenewRunLease (as the caller) when the run's renewal is due: at the first write, then
 * at most once per {@link #INTERVAL_MS} (sooner when the server's lease is short: a third of what
 * the last renewal granted, as the SDKs do). So a run an MLflow client logs to stays RUNNING and
 * one whose client died becomes CRASHED. A small bounded map remembers when each run is due
 * (cleared when full: at worst one extra renewal per run).
 */
final class MlflowRunLeases {
    static final long INTERVAL_MS = 60_000;
    static final int MAX_RUNS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowRunLeases.class);

    private final ConcurrentHashMap<String, Long> due = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LabbookGateway gateway;

    MlflowRunLeases(LabbookGateway gateway, Clock clock) {
        this.gateway = gateway;
        this.clock = clock;
    }

    /** After a write to the run: renews its lease when due. */
    void wrote(MlflowCaller caller, String runId) {
        renewIfDue(runId, id -> {
            try {
                return gateway.runs(caller).renewRunLease(RenewRunLeaseRequest.newBuilder().setRunId(id).build())
                        .getLeaseExpireTimeMs();
            } catch (StatusRuntimeException e) {
                // The write itself succeeded; a failed renewal is retried at the next write.
                LOG.debug("renewing the lease of run {} for an MLflow client failed: {}", id, e.getStatus());
                return -1L;
            }
        });
    }

    /**
     * Calls {@code renew} when the run is due; it answers when the lease now expires (0: the run
     * has no lease, e.g. finished; negative: the renewal failed, retry at the next write).
     */
    void renewIfDue(String runId, ToLongFunction<String> renew) {
        long now = clock.millis();
        Long next = due.get(runId);
        if (next != null && now < next) {
            return;
        }
        // Claimed before the call, so that concurrent writes don't all renew.
        remember(runId, now + INTERVAL_MS);
        long expires = renew.applyAsLong(runId);
        if (expires < 0) {
            due.remove(runId);
        } else if (expires > now) {
            remember(runId, now + Math.max(1, Math.min(INTERVAL_MS, (expires - now) / 3)));
        }
    }

    private void remember(String runId, long next) {
        if (due.size() >= MAX_RUNS && !due.containsKey(runId)) {
            due.clear();
        }
        due.put(runId, next);
    }

    int size() {
        return due.size();
    }
}
