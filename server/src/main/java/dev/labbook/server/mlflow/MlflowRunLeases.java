package dev.labbook.server.mlflow;

import dev.labbook.api.v1.RenewRunLeaseRequest;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews a run's lease for MLflow clients, which know nothing of Labbook's leases: after a write
 * to a run, at most once per {@link #INTERVAL_MS} per run (RenewRunLease, as the caller), so a
 * run an MLflow client logs to stays RUNNING and one whose client died becomes CRASHED. A
 * small bounded map remembers the last renewal of each run (cleared when full: at worst one
 * extra renewal per run).
 */
final class MlflowRunLeases {
    static final long INTERVAL_MS = 60_000;
    static final int MAX_RUNS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(MlflowRunLeases.class);

    private final ConcurrentHashMap<String, Long> lastRenewal = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LabbookGateway gateway;

    MlflowRunLeases(LabbookGateway gateway, Clock clock) {
        this.gateway = gateway;
        this.clock = clock;
    }

    /** The run was just created (its lease is fresh). */
    void created(String runId) {
        remember(runId, clock.millis());
    }

    /** After a write to the run: renews its lease unless that was done in the last minute. */
    void wrote(MlflowCaller caller, String runId) {
        renewIfDue(runId, id -> {
            try {
                gateway.runs(caller).renewRunLease(RenewRunLeaseRequest.newBuilder().setRunId(id).build());
            } catch (StatusRuntimeException e) {
                // The write itself succeeded; a failed renewal is retried on the next write.
                lastRenewal.remove(id);
                LOG.debug("renewing the lease of run {} for an MLflow client failed: {}", id, e.getStatus());
            }
        });
    }

    /** Calls renew when the run's last renewal is older than the interval. */
    void renewIfDue(String runId, Consumer<String> renew) {
        long now = clock.millis();
        Long last = lastRenewal.get(runId);
        if (last != null && now - last < INTERVAL_MS) {
            return;
        }
        remember(runId, now);
        renew.accept(runId);
    }

    private void remember(String runId, long now) {
        if (lastRenewal.size() >= MAX_RUNS) {
            lastRenewal.clear();
        }
        lastRenewal.put(runId, now);
    }

    int size() {
        return lastRenewal.size();
    }
}
