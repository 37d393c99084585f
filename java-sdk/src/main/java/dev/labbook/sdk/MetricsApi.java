package dev.labbook.sdk;

import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.BatchGetMetricHistoryResponse;
import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.BatchLogMetricsResponse;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListMetricsResponse;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.ClientStream;
import dev.labbook.sdk.internal.Errors;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Metric calls of {@link LabbookClient}: reads, and the wire-level batch ingest. */
public final class MetricsApi {
    /** Attempts of a broken history stream (each resumes after the last point received). */
    private static final int STREAM_ATTEMPTS = 5;

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

    /** Summaries of every series of the run, sorted by key (all pages). */
    public List<MetricSummary> list(String runId) {
        return list(runId, "");
    }

    /** Summaries of the run's series whose key starts with {@code keyPrefix} (e.g. {@code val/}), all pages. */
    public List<MetricSummary> list(String runId, String keyPrefix) {
        List<MetricSummary> out = new ArrayList<>();
        String token = "";
        do {
            Page<MetricSummary> page = list(runId, keyPrefix, 0, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /** One page of summaries sorted by key (page size 0: the server's default, 1000; at most 10,000). */
    public Page<MetricSummary> list(String runId, String keyPrefix, int pageSize, String pageToken) {
        ListMetricsRequest req = ListMetricsRequest.newBuilder().setRunId(runId)
                .setKeyPrefix(keyPrefix == null ? "" : keyPrefix).setPageSize(pageSize)
                .setPageToken(pageToken == null ? "" : pageToken).build();
        ListMetricsResponse resp = calls.idempotent(() -> stub().listMetrics(req));
        List<MetricSummary> out = new ArrayList<>(resp.getMetricsCount());
        resp.getMetricsList().forEach(m -> out.add(Protos.summary(m)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every point of a series in step order. */
    public MetricSeries history(String runId, String key) {
        return read(GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).build());
    }

    /** Points with {@code startStep <= step <= endStep}; a null bound is open. */
    public MetricSeries history(String runId, String key, Long startStep, Long endStep) {
        GetMetricHistoryRequest.Builder req = GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key);
        if (startStep != null) {
            req.setStartStep(startStep);
        }
        if (endStep != null) {
            req.setEndStep(endStep);
        }
        return read(req.build());
    }

    /** About {@code maxPoints} points keeping each bucket's minimum and maximum (see docs/metrics.md). */
    public MetricSeries downsampled(String runId, String key, int maxPoints) {
        return read(GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).setMaxPoints(maxPoints).build());
    }

    /**
     * Many series at once, for charts that overlay runs: every key of {@code keys} in every run
     * of {@code runIds} (1-100 each, at most 1000 series), each downsampled to about
     * {@code maxPoints} (0: 1000), optionally within a step range (null bounds are open). Run id
     * → key → series, in the order asked; a key a run lacks is absent.
     */
    public Map<String, Map<String, MetricSeries>> batchHistory(List<String> runIds, List<String> keys, int maxPoints,
            Long startStep, Long endStep) {
        BatchGetMetricHistoryRequest.Builder b = BatchGetMetricHistoryRequest.newBuilder().addAllRunIds(runIds)
                .addAllKeys(keys).setMaxPoints(maxPoints);
        if (startStep != null) {
            b.setStartStep(startStep);
        }
        if (endStep != null) {
            b.setEndStep(endStep);
        }
        BatchGetMetricHistoryRequest req = b.build();
        BatchGetMetricHistoryResponse resp = calls.idempotent(() -> MetricServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(Math.max(120_000, calls.options().callTimeout().toMillis()), TimeUnit.MILLISECONDS)
                .batchGetMetricHistory(req));
        Map<String, Map<String, MetricSeries>> out = new LinkedHashMap<>();
        runIds.forEach(id -> out.put(id, new LinkedHashMap<>()));
        for (dev.labbook.api.v1.MetricSeries s : resp.getSeriesList()) {
            long[] steps = new long[s.getStepCount()];
            long[] ts = new long[s.getTimestampMsCount()];
            double[] values = new double[s.getValueCount()];
            for (int i = 0; i < values.length; i++) {
                steps[i] = s.getStep(i);
                ts[i] = s.getTimestampMs(i);
                values[i] = s.getValue(i);
            }
            out.computeIfAbsent(s.getRunId(), k -> new LinkedHashMap<>())
                    .put(s.getKey(), new MetricSeries(s.getKey(), steps, ts, values, s.getDownsampled()));
        }
        return out;
    }

    /**
     * Reads a whole series. A stream broken on the way (UNAVAILABLE, ABORTED, a deadline) is
     * resumed from the cursor ({@code next_page_token}) of the last message received, keeping the
     * points already read; only a downsampled read, which has no cursor, starts over.
     */
    private MetricSeries read(GetMetricHistoryRequest req) {
        PointBuffer points = new PointBuffer();
        String after = null; // cursor after the last message received; null: none yet
        for (int attempt = 0;; attempt++) {
            GetMetricHistoryRequest attemptReq = after == null ? req : req.toBuilder().setPageToken(after).build();
            try {
                // a long series streams for a while: no unary deadline, but a generous one per read
                Iterator<GetMetricHistoryResponse> it = MetricServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(Math.max(600_000, calls.options().callTimeout().toMillis()),
                                TimeUnit.MILLISECONDS)
                        .getMetricHistory(attemptReq);
                while (it.hasNext()) {
                    GetMetricHistoryResponse r = it.next();
                    points.add(r);
                    after = r.getDownsampled() ? null : r.getNextPageToken();
                }
                return points.series(req.getKey());
            } catch (RuntimeException e) {
                if (after != null && after.isEmpty()) {
                    return points.series(req.getKey()); // the last point had arrived: no point follows
                }
                if (!isBrokenStream(e) || attempt + 1 >= Math.min(STREAM_ATTEMPTS, calls.options().maxAttempts())) {
                    throw Errors.rethrow(e);
                }
                if (after == null) {
                    points.clear(); // nothing to resume from (downsampled, or no message yet): start over
                }
                try {
                    calls.options().backoff().sleep(attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw Errors.rethrow(e);
                }
            }
        }
    }

    private static boolean isBrokenStream(RuntimeException e) {
        if (Errors.isRetryable(e)) {
            return true;
        }
        io.grpc.Status.Code code = io.grpc.Status.fromThrowable(e).getCode();
        return code == io.grpc.Status.Code.DEADLINE_EXCEEDED;
    }

    /** Points of a series as they arrive, in growing parallel arrays. */
    private static final class PointBuffer {
        long[] steps = new long[1024];
        long[] ts = new long[1024];
        double[] values = new double[1024];
        int n;
        boolean downsampled;

        void add(GetMetricHistoryResponse r) {
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

        void clear() {
            n = 0;
            downsampled = false;
        }

        MetricSeries series(String key) {
            return new MetricSeries(key, Arrays.copyOf(steps, n), Arrays.copyOf(ts, n), Arrays.copyOf(values, n),
                    downsampled);
        }
    }

    /** The last sequence a writer committed for the run (0 when none). */
    public long writerState(String runId, String writerId) {
        GetWriterStateRequest req = GetWriterStateRequest.newBuilder().setRunId(runId).setWriterId(writerId).build();
        return calls.idempotent(() -> stub().getWriterState(req)).getLastSequence();
    }

    /**
     * Sends one wire-level batch with a unary {@code BatchLogMetrics} call (the same rules as one
     * message of {@link #send}). With a writer id it is retried on UNAVAILABLE/ABORTED: the server
     * stores a writer's sequence once, and answers a repeat as a duplicate.
     */
    public AppendResult logBatch(MetricBatch batch) {
        BatchLogMetricsRequest req = BatchLogMetricsRequest.newBuilder().setBatch(batch).build();
        BatchLogMetricsResponse resp = batch.getWriterId().isEmpty() ? calls.once(() -> stub().batchLogMetrics(req))
                : calls.idempotent(() -> stub().batchLogMetrics(req));
        return new AppendResult(resp.getAcceptedPoints(), resp.getDuplicate());
    }

    /**
     * Sends wire-level batches, all of one run, over one LogMetrics stream (exactly-once per writer and sequence:
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
