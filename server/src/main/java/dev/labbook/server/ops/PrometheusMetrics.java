package dev.labbook.server.ops;

import dev.labbook.server.domain.UsageRecorder;
import dev.labbook.server.grpc.RpcObserver;
import dev.labbook.server.store.postgres.PoolObserver;
import dev.labbook.server.store.postgres.PoolUsage;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics: calls by method and status, open streams, what the domain
 * stored (through {@link UsageRecorder}), the connection pool and the JVM. Names are listed in
 * docs/operations.md. Each server has its own registry, so several can run in one JVM (tests).
 */
public final class PrometheusMetrics implements UsageRecorder, RpcObserver, PoolObserver {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder()
            .name("labbook_grpc_requests_total")
            .help("gRPC calls handled, by full method name and final status code.")
            .labelNames("method", "code")
            .register(registry);
    private final Counter accessDenials = Counter.builder()
            .name("labbook_access_denied_total")
            .help("Calls refused by access control, by full method name, status code (UNAUTHENTICATED, "
                    + "PERMISSION_DENIED) and reason (CREDENTIALS_MISSING, TOKEN_REVOKED, ROLE_MISSING, ...).")
            .labelNames("method", "code", "reason")
            .register(registry);
    private final Gauge openStreams = Gauge.builder()
            .name("labbook_grpc_open_streams")
            .help("Streaming gRPC calls open now, by full method name.")
            .labelNames("method")
            .register(registry);
    private final Counter points = Counter.builder()
            .name("labbook_metric_points_ingested_total")
            .help("Metric points committed (batches skipped as duplicates are not counted).")
            .register(registry);
    private final Counter batches = Counter.builder()
            .name("labbook_metric_batches_ingested_total")
            .help("Metric batches committed (duplicates are not counted).")
            .register(registry);
    private final Counter artifactBytes = Counter.builder()
            .name("labbook_artifact_bytes_stored_total")
            .help("Bytes of artifacts verified and recorded.")
            .register(registry);
    private final Counter artifacts = Counter.builder()
            .name("labbook_artifacts_stored_total")
            .help("Artifacts verified and recorded.")
            .register(registry);

    private final Histogram poolAcquire = Histogram.builder()
            .name("labbook_db_pool_acquire_seconds")
            .help("Time callers waited for a database connection.")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)
            .register(registry);
    private final Counter poolTimeouts = Counter.builder()
            .name("labbook_db_pool_timeouts_total")
            .help("Callers that gave up waiting for a database connection (10 s).")
            .register(registry);

    public PrometheusMetrics() {
        JvmMetrics.builder().register(registry);
    }

    /** Adds gauges of the pool's connections, read from {@code pool} on each scrape. */
    public void watchPool(Supplier<PoolUsage> pool) {
        GaugeWithCallback.builder()
                .name("labbook_db_pool_connections")
                .help("Database pool connections by state: active (in use) or idle.")
                .labelNames("state")
                .callback(callback -> {
                    PoolUsage usage = pool.get();
                    callback.call(usage.active(), "active");
                    callback.call(usage.idle(), "idle");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("labbook_db_pool_max_connections")
                .help("Largest number of connections the database pool opens (db-pool-size).")
                .callback(callback -> callback.call(pool.get().max()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("labbook_db_pool_pending_threads")
                .help("Threads waiting for a database connection.")
                .callback(callback -> callback.call(pool.get().waiting()))
                .register(registry);
    }

    /** Adds the audit log's entry counts by outcome: written, dropped (queue full), failed (database). */
    public void watchAudit(LongSupplier written, LongSupplier dropped, LongSupplier failed) {
        CounterWithCallback.builder()
                .name("labbook_audit_events_total")
                .help("Audit log entries by outcome: written, dropped (queue full) or failed (database refused).")
                .labelNames("outcome")
                .callback(callback -> {
                    callback.call(written.getAsLong(), "written");
                    callback.call(dropped.getAsLong(), "dropped");
                    callback.call(failed.getAsLong(), "failed");
                })
                .register(registry);
    }

    /** Adds readiness: 1 while PostgreSQL and the artifact store answer (health SERVING), else 0. */
    /** The gRPC port's fixed thread pool: threads running and callbacks waiting for one. */
    public void watchApiExecutor(java.util.function.IntSupplier threads, java.util.function.IntSupplier queued) {
        GaugeWithCallback.builder()
                .name("labbook_api_threads")
                .help("Threads of the gRPC port's fixed pool (at most api-threads) running now.")
                .callback(callback -> callback.call(threads.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("labbook_api_queued_tasks")
                .help("Call callbacks waiting for a thread of the gRPC port's pool.")
                .callback(callback -> callback.call(queued.getAsInt()))
                .register(registry);
    }

    public void watchReadiness(java.util.function.BooleanSupplier ready) {
        GaugeWithCallback.builder()
                .name("labbook_ready")
                .help("1 while readiness reports SERVING (PostgreSQL and the artifact store answer), 0 while not.")
                .callback(callback -> callback.call(ready.getAsBoolean() ? 1 : 0))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void connectionAcquired(long nanos) {
        poolAcquire.observe(nanos / 1e9);
    }

    @Override
    public void connectionTimedOut() {
        poolTimeouts.inc();
    }

    @Override
    public void streamOpened(String method) {
        openStreams.labelValues(method).inc();
    }

    @Override
    public void streamClosed(String method) {
        openStreams.labelValues(method).dec();
    }

    @Override
    public void callFinished(String method, String code) {
        requests.labelValues(method, code).inc();
    }

    @Override
    public void accessDenied(String method, String code, String reason) {
        accessDenials.labelValues(method, code, reason).inc();
    }

    @Override
    public void metricBatchCommitted(int pointCount) {
        batches.inc();
        points.inc(pointCount);
    }

    @Override
    public void artifactStored(long bytes) {
        artifacts.inc();
        artifactBytes.inc(bytes);
    }
}
