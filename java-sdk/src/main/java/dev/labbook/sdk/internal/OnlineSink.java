package dev.labbook.sdk.internal;

import dev.labbook.sdk.AppendWriter;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookOptions;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.TablesApi;
import dev.labbook.sdk.UploadOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A run on a server: metrics through the {@link MetricSender}, everything else through the
 * {@link OpQueue}; both spool to the same writer directory ({@link Spool}) during an outage.
 */
public final class OnlineSink implements RunSink {
    private final String runId;
    private final Spool spool;
    private final MetricSender metrics;
    private final OpQueue calls;
    /** The writer of this run's table rows: its own id, apart from the metric and log writers. */
    private final AppendWriter rowWriter = new AppendWriter("rows");
    /** The run's heartbeat, ticked by the run's flush timer. */
    private final LeaseRenewer lease;

    public OnlineSink(LabbookClient client, String runId, Supplier<List<String>> keyNames, LabbookOptions options) {
        this.runId = runId;
        this.metrics = new MetricSender(client, runId, keyNames, options);
        this.spool = metrics.spool();
        this.calls = new OpQueue(client, runId, options.client().backoff(), spool, options.spoolAfter(),
                millis -> !metrics.inOutage() && metrics.awaitDelivered(millis), options.closeTimeout().toMillis());
        this.lease = new LeaseRenewer(client.runs(), runId);
    }

    @Override
    public void heartbeat(long nowMs) {
        lease.tick(nowMs);
    }

    public MetricSender metricSender() {
        return metrics;
    }

    public OpQueue calls() {
        return calls;
    }

    @Override
    public void accept(PointBlock block) {
        metrics.accept(block);
    }

    private void submit(String what, java.util.function.Consumer<LabbookClient> call) {
        calls.submit(new OpQueue.Op() {
            @Override
            public void run(LabbookClient client) {
                call.accept(client);
            }

            @Override
            public String describe() {
                return what;
            }
        });
    }

    @Override
    public void params(Map<String, ?> params) {
        Map<String, ?> copy = new java.util.LinkedHashMap<>(params);
        calls.submit("params", () -> List.of(SpooledCalls.params(runId, copy)));
    }

    @Override
    public void tags(Map<String, String> tags) {
        Map<String, String> copy = Map.copyOf(tags);
        calls.submit("tags", () -> List.of(SpooledCalls.tags(runId, copy)));
    }

    @Override
    public void description(String description) {
        calls.submit("description", () -> List.of(SpooledCalls.description(runId, description)));
    }

    /**
     * Appends rows as calls of this run's row writer (at most {@link TablesApi#MAX_ROWS_PER_CALL}
     * rows each, each with its sequence, given when the queue reaches them): a retry or a replay
     * resends a call under its sequence, and the server skips one it had committed before the
     * answer was lost, so no row is stored twice.
     */
    @Override
    public void rows(String table, List<? extends Map<String, ?>> rows) {
        List<Map<String, ?>> copy = List.copyOf(rows);
        calls.submit("rows of table " + table, () -> SpooledCalls.rows(runId, rowWriter, table, copy));
    }

    @Override
    public void log(LogLine line) {
        calls.log(line);
    }

    /** Files are sent live only: never spooled (see {@link OpQueue}). */
    @Override
    public void file(Path file, String path, Direction direction, Long step) {
        UploadOptions opts = new UploadOptions(direction, "", step, java.util.UUID.randomUUID().toString());
        submit("file " + path, c -> c.artifacts().upload(runId, file, path, opts, null));
    }

    /** References are sent live only: never spooled (see {@link OpQueue}). */
    @Override
    public void reference(String name, String uri, Direction direction) {
        submit("reference " + name, c -> c.artifacts().reference(runId, name, uri, direction));
    }

    /**
     * The status is set once the metric batches sealed before it are delivered (or given up);
     * spooled, it carries the time it was set as the run's end time.
     */
    @Override
    public void status(RunStatus status) {
        lease.stop(); // a finished run has no lease to keep
        calls.submit("status " + status, () -> List.of(SpooledCalls.status(runId, status)));
    }

    @Override
    public boolean flush(long timeoutMillis) {
        long start = System.nanoTime();
        boolean m = metrics.awaitDelivered(timeoutMillis);
        long left = Math.max(0, timeoutMillis - (System.nanoTime() - start) / 1_000_000);
        return calls.awaitIdle(left) && m;
    }

    @Override
    public void close(long timeoutMillis) {
        lease.stop();
        long start = System.nanoTime();
        metrics.close(timeoutMillis);
        long left = Math.max(1000, timeoutMillis - (System.nanoTime() - start) / 1_000_000);
        calls.close(left);
        spool.release(); // what is left on disk is any replayer's now
    }

    /**
     * Stops both senders at once, sending and spooling nothing more, and lets go of the spool's
     * lock as the end of the process would: a model of {@code kill -9} for tests.
     */
    public void kill() {
        lease.stop();
        calls.kill();
        metrics.kill();
        spool.abandon();
    }
}
