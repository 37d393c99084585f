package dev.labbook.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A run on a server: metrics through the {@link MetricSender}, everything else through the {@link OpQueue}. */
final class OnlineSink implements RunSink {
    private final String runId;
    private final MetricSender metrics;
    private final OpQueue calls;
    private final long statusWaitMillis;
    /** The writer of this run's table rows: its own id, apart from the metric and log writers. */
    private final AppendWriter rowWriter = new AppendWriter("rows");
    /** The run's heartbeat, ticked by the run's flush timer. */
    private final LeaseRenewer lease;

    OnlineSink(LabbookClient client, String runId, Supplier<List<String>> keyNames, LabbookOptions options) {
        this.runId = runId;
        this.metrics = new MetricSender(client, runId, keyNames, options);
        this.calls = new OpQueue(client, runId, options.client().backoff());
        this.statusWaitMillis = options.closeTimeout().toMillis();
        this.lease = new LeaseRenewer(client.runs(), runId);
    }

    @Override
    public void heartbeat(long nowMs) {
        lease.tick(nowMs);
    }

    MetricSender metricSender() {
        return metrics;
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
        submit("params", c -> c.runs().logParams(runId, copy));
    }

    @Override
    public void tags(Map<String, String> tags) {
        Map<String, String> copy = Map.copyOf(tags);
        submit("tags", c -> c.runs().setTags(runId, copy, List.of()));
    }

    @Override
    public void description(String description) {
        submit("description", c -> c.runs().setDescription(runId, description));
    }

    @Override
    public void rows(String table, List<? extends Map<String, ?>> rows) {
        calls.submit(new RowsOp(table, List.copyOf(rows)));
    }

    /**
     * Appends rows as one append of this run's row writer (calls of at most
     * {@link TablesApi#MAX_ROWS_PER_CALL} rows, each with its sequence): a retry resends only the
     * calls the server did not confirm, and the server skips any it had committed before the
     * answer was lost, so no row is stored twice.
     */
    private final class RowsOp implements OpQueue.Op {
        private final String table;
        private final List<Map<String, ?>> rows;
        private PendingAppend append;

        RowsOp(String table, List<Map<String, ?>> rows) {
            this.table = table;
            this.rows = rows;
        }

        @Override
        public void run(LabbookClient c) {
            if (append == null) {
                append = c.tables().prepare(runId, rowWriter, table, rows);
            }
            append.send();
        }

        @Override
        public String describe() {
            return "rows of table " + table;
        }
    }

    @Override
    public void log(LogLine line) {
        calls.log(line);
    }

    @Override
    public void file(Path file, String path, Direction direction, Long step) {
        UploadOptions opts = new UploadOptions(direction, "", step, java.util.UUID.randomUUID().toString());
        submit("file " + path, c -> c.artifacts().upload(runId, file, path, opts, null));
    }

    @Override
    public void reference(String name, String uri, Direction direction) {
        submit("reference " + name, c -> c.artifacts().reference(runId, name, uri, direction));
    }

    /**
     * The status is set once the metric batches sealed before it are delivered (or given up):
     * readers such as {@code labbook logs -f} and run watchers stop at a final status, and would
     * otherwise miss the last points.
     */
    @Override
    public void status(RunStatus status) {
        lease.stop(); // a finished run has no lease to keep
        submit("status " + status, c -> {
            metrics.awaitDelivered(statusWaitMillis);
            if (status == RunStatus.CANCELED) {
                c.runs().cancel(runId);
            } else {
                c.runs().finish(runId, status);
            }
        });
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
    }
}
