package dev.labbook.sdk;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Metric calls of {@link LabbookClient}: reads, and the wire-level batch ingest. */
public final class MetricsApi {
    private final Channel channel;
    private final Calls calls;

    MetricsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private MetricServiceGrpc.MetricServiceBlockingStub stub() {
        return MetricServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Summaries of every series of the run, sorted by key. */
    public List<MetricSummary> list(String runId) {
        ListMetricsRequest req = ListMetricsRequest.newBuilder().setRunId(runId).build();
        List<MetricSummary> out = new ArrayList<>();
        calls.idempotent(() -> stub().listMetrics(req)).getMetricsList().forEach(m -> out.add(Protos.summary(m)));
        return out;
    }

    /** Every point of a series in step order. */
    public MetricSeries history(String runId, String key) {
        return read(GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).build());
    }

    /** Points with {@code startStep <= step <= endStep}. */
    public MetricSeries history(String runId, String key, long startStep, long endStep) {
        return read(GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).setHasStepRange(true)
                .setStartStep(startStep).setEndStep(endStep).build());
    }

    /** About {@code maxPoints} points keeping each bucket's minimum and maximum (see docs/metrics.md). */
    public MetricSeries downsampled(String runId, String key, int maxPoints) {
        return read(GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).setMaxPoints(maxPoints).build());
    }

    private MetricSeries read(GetMetricHistoryRequest req) {
        return calls.idempotent(() -> {
            long[] steps = new long[1024];
            long[] ts = new long[1024];
            double[] values = new double[1024];
            int n = 0;
            boolean downsampled = false;
            // a long series streams for a while: no unary deadline, but a generous one per read
            Iterator<GetMetricHistoryResponse> it = MetricServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(Math.max(600_000, calls.options().callTimeout().toMillis()), TimeUnit.MILLISECONDS)
                    .getMetricHistory(req);
            while (it.hasNext()) {
                GetMetricHistoryResponse r = it.next();
                int k = r.getValueCount();
                if (n + k > values.length) {
                    int cap = Math.max(n + k, values.length * 2);
                    steps = Arrays.copyOf(steps, cap);
                    ts = Arrays.copyOf(ts, cap);
                    values = Arrays.copyOf(values, cap);
                }
                for (int i = 0; i < k; i++) {
                    steps[n + i] = r.getStep(i);
                    ts[n + i] = r.getTimestampMs(i);
                    values[n + i] = r.getValue(i);
                }
                n += k;
                downsampled |= r.getDownsampled();
            }
            return new MetricSeries(req.getKey(), Arrays.copyOf(steps, n), Arrays.copyOf(ts, n),
                    Arrays.copyOf(values, n), downsampled);
        });
    }

    /** The last sequence a writer committed for the run (0 when none). */
    public long writerState(String runId, String writerId) {
        GetWriterStateRequest req = GetWriterStateRequest.newBuilder().setRunId(runId).setWriterId(writerId).build();
        return calls.idempotent(() -> stub().getWriterState(req)).getLastSequence();
    }

    /**
     * Sends wire-level batches over one LogMetrics stream (exactly-once per writer and sequence:
     * a batch not newer than the writer's last committed one is skipped by the server). Not
     * retried here; callers that resend ask {@link #writerState} first.
     */
    public LogMetricsResponse send(Iterable<MetricBatch> batches) {
        long timeout = calls.options().callTimeout().toMillis();
        ClientStream<LogMetricsRequest, LogMetricsResponse> stream = ClientStream
                .open(MetricServiceGrpc.newStub(channel)::logMetrics);
        try {
            for (MetricBatch b : batches) {
                stream.send(LogMetricsRequest.newBuilder().setBatch(b).build(), timeout);
            }
            return stream.finish(timeout);
        } catch (RuntimeException e) {
            stream.cancel("send failed");
            throw Errors.translate(e);
        }
    }
}
