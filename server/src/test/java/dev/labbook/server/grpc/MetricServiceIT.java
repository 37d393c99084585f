package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.MetricStreams.Series;
import dev.labbook.server.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabbookServerExtension.class)
class MetricServiceIT {
    private static final long T0 = 1_760_000_000_000L;

    static String run(TestServer server) {
        return server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setExperimentName("metrics")
                .setName("r-" + UUID.randomUUID()).build()).getRun().getId();
    }

    /** A batch of one key with the given steps and values. */
    static MetricBatch batch(String runId, String writer, long sequence, String key, long[] steps, double[] values) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId(writer).setSequence(sequence)
                .addKeys(key);
        for (int i = 0; i < steps.length; i++) {
            b.addKeyIndex(0).addStep(steps[i]).addTimestampMs(T0 + steps[i]).addValue(values[i]);
        }
        return b.build();
    }

    static GetMetricHistoryRequest history(String runId, String key) {
        return GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key).build();
    }

    @Test
    void storesColumnarBatchesOfSeveralKeysAndReadsEachBackInStepOrder(TestServer server) {
        String run = run(server);
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run).setWriterId("w1").setSequence(1)
                .addKeys("loss").addKeys("val/acc").addKeys("lr");
        for (int step = 0; step < 3000; step++) {
            b.addKeyIndex(0).addStep(step).addTimestampMs(T0 + step * 10L).addValue(1.0 / (step + 1));
            if (step % 10 == 0) {
                b.addKeyIndex(1).addStep(step).addTimestampMs(T0 + step * 10L).addValue(step / 3000.0);
            }
        }
        b.addKeyIndex(2).addStep(0).addTimestampMs(T0).addValue(0.1);

        LogMetricsResponse response = MetricStreams.send(server.channel(), List.of(b.build()));

        assertThat(response.getAcceptedBatches()).isEqualTo(1);
        assertThat(response.getAcceptedPoints()).isEqualTo(3000 + 300 + 1);
        Series loss = MetricStreams.history(server.channel(), history(run, "loss"));
        assertThat(loss.size()).isEqualTo(3000);
        assertThat(loss.steps().get(2999)).isEqualTo(2999L);
        assertThat(loss.values().get(1)).isEqualTo(0.5);
        assertThat(loss.timestamps().get(5)).isEqualTo(T0 + 50);
        assertThat(loss.downsampled()).isFalse();
        assertThat(MetricStreams.history(server.channel(), history(run, "val/acc")).size()).isEqualTo(300);

        List<MetricSummary> summaries = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run)
                .build()).getMetricsList();
        assertThat(summaries).extracting(MetricSummary::getKey).containsExactly("loss", "lr", "val/acc");
        MetricSummary lossSummary = summaries.get(0);
        assertThat(lossSummary.getCount()).isEqualTo(3000);
        assertThat(lossSummary.getLastStep()).isEqualTo(2999);
        assertThat(lossSummary.getLastValue()).isEqualTo(1.0 / 3000);
        assertThat(lossSummary.getMin()).isEqualTo(1.0 / 3000);
        assertThat(lossSummary.getMax()).isEqualTo(1.0);
    }

    /**
     * One unary batch of 100 keys (more chunks than the ingest statements keep texts for), then
     * a second one to the same keys: every series is created once, appended to, and summarised.
     */
    @Test
    void unaryBatchesOfManyKeysCreateAppendAndSummariseEverySeries(TestServer server) {
        String run = run(server);
        for (int round = 0; round < 2; round++) {
            MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run);
            for (int k = 0; k < 100; k++) {
                b.addKeys(String.format("m/%03d", k));
                for (int i = 0; i < 3; i++) {
                    long step = round * 3L + i;
                    // m/000 holds only NaN: its series has no min or max
                    b.addKeyIndex(k).addStep(step).addTimestampMs(T0 + step).addValue(k == 0 ? Double.NaN : k + step);
                }
            }
            assertThat(server.metrics().batchLogMetrics(dev.labbook.api.v1.BatchLogMetricsRequest.newBuilder()
                    .setBatch(b).build()).getAcceptedPoints()).isEqualTo(300);
        }

        List<MetricSummary> summaries = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run)
                .build()).getMetricsList();
        assertThat(summaries).hasSize(100);
        MetricSummary m42 = summaries.get(42);
        assertThat(m42.getKey()).isEqualTo("m/042");
        assertThat(m42.getCount()).isEqualTo(6);
        assertThat(m42.getLastStep()).isEqualTo(5);
        assertThat(m42.getLastValue()).isEqualTo(47.0);
        assertThat(m42.getMin()).isEqualTo(42.0);
        assertThat(m42.getMax()).isEqualTo(47.0);
        assertThat(summaries.get(0).getCount()).isEqualTo(6);
        assertThat(summaries.get(0).getLastValue()).isNaN();
        assertThat(summaries.get(0).getMin()).isNaN(); // stored as NULL: no non-NaN value yet
        assertThat(summaries.get(0).getMax()).isNaN();
        Series m99 = MetricStreams.history(server.channel(), history(run, "m/099"));
        assertThat(m99.steps()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(m99.values()).containsExactly(99.0, 100.0, 101.0, 102.0, 103.0, 104.0);
    }

    @Test
    void keepsSpecialValuesAndOrdersStepsWithTiesInArrivalOrder(TestServer server) {
        String run = run(server);
        long[] steps1 = {5, 3, 3, -7, Long.MAX_VALUE};
        double[] values1 = {Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE, 1.5};
        long[] steps2 = {3, 4};
        double[] values2 = {Double.NEGATIVE_INFINITY, 2.0};
        MetricStreams.send(server.channel(), List.of(batch(run, "w", 1, "m", steps1, values1),
                batch(run, "w", 2, "m", steps2, values2)));

        Series s = MetricStreams.history(server.channel(), history(run, "m"));

        assertThat(s.steps()).containsExactly(-7L, 3L, 3L, 3L, 4L, 5L, Long.MAX_VALUE);
        assertThat(s.values()).containsExactly(Double.MIN_VALUE, Double.POSITIVE_INFINITY, -0.0,
                Double.NEGATIVE_INFINITY, 2.0, Double.NaN, 1.5);
        assertThat(Double.doubleToRawLongBits(s.values().get(2))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        MetricSummary summary = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetrics(0);
        assertThat(summary.getCount()).isEqualTo(7);
        assertThat(summary.getLastStep()).isEqualTo(Long.MAX_VALUE);
        assertThat(summary.getMin()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(summary.getMax()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void aResentBatchIsAcknowledgedButStoredOnce(TestServer server) {
        String run = run(server);
        MetricBatch first = batch(run, "writer-a", 1, "loss", new long[] {0, 1}, new double[] {1, 2});
        MetricBatch second = batch(run, "writer-a", 2, "loss", new long[] {2}, new double[] {3});

        MetricStreams.send(server.channel(), List.of(first, second));
        LogMetricsResponse again = MetricStreams.send(server.channel(), List.of(first, second,
                batch(run, "writer-a", 3, "loss", new long[] {3}, new double[] {4})));

        assertThat(again.getSkippedDuplicateBatches()).isEqualTo(2);
        assertThat(again.getSkippedDuplicatePoints()).isEqualTo(3);
        assertThat(again.getAcceptedBatches()).isEqualTo(1);
        assertThat(MetricStreams.history(server.channel(), history(run, "loss")).values())
                .containsExactly(1.0, 2.0, 3.0, 4.0);
        assertThat(server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run)
                .setWriterId("writer-a").build()).getLastSequence()).isEqualTo(3);
        assertThat(server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run)
                .setWriterId("never").build()).getLastSequence()).isZero();
        // Another writer's sequence numbers are independent.
        assertThat(MetricStreams.send(server.channel(), List.of(batch(run, "writer-b", 1, "loss",
                new long[] {4}, new double[] {5}))).getAcceptedBatches()).isEqualTo(1);
    }

    @Test
    void stepRangeAndDownsamplingKeepSpikesVisible(TestServer server) {
        String run = run(server);
        int n = 100_000;
        List<MetricBatch> batches = new ArrayList<>();
        for (int start = 0, seq = 1; start < n; start += 10_000, seq++) {
            long[] steps = new long[10_000];
            double[] values = new double[10_000];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = start + i;
                values[i] = (start + i) == 54_321 ? 1e6 : Math.sin((start + i) / 1000.0);
            }
            batches.add(batch(run, "w", seq, "signal", steps, values));
        }
        MetricStreams.send(server.channel(), batches);

        Series range = MetricStreams.history(server.channel(), history(run, "signal").toBuilder()
                .setStartStep(9_995).setEndStep(10_004).build());
        assertThat(range.steps()).containsExactly(9_995L, 9_996L, 9_997L, 9_998L, 9_999L, 10_000L, 10_001L, 10_002L,
                10_003L, 10_004L);

        Series view = MetricStreams.history(server.channel(), history(run, "signal").toBuilder()
                .setMaxPoints(1000).build());
        assertThat(view.downsampled()).isTrue();
        assertThat(view.size()).isLessThanOrEqualTo(1000).isGreaterThan(900);
        assertThat(view.steps()).isSorted();
        assertThat(view.values()).contains(1e6);
        assertThat(view.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isLessThan(-0.999);

        Series small = MetricStreams.history(server.channel(), history(run, "signal").toBuilder()
                .setStartStep(0).setEndStep(99).setMaxPoints(1000).build());
        assertThat(small.downsampled()).isFalse();
        assertThat(small.size()).isEqualTo(100);
    }

    @Test
    void anEmptyBatchIsAcceptedAndAdvancesItsWriter(TestServer server) {
        String run = run(server);
        MetricBatch empty = MetricBatch.newBuilder().setRunId(run).setWriterId("w").setSequence(1).addKeys("loss")
                .build();

        LogMetricsResponse response = MetricStreams.send(server.channel(), List.of(empty));

        assertThat(response.getAcceptedBatches()).isEqualTo(1);
        assertThat(response.getAcceptedPoints()).isZero();
        assertThat(server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run).setWriterId("w")
                .build()).getLastSequence()).isEqualTo(1);
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetricsList()).isEmpty();
    }

    @Test
    void maxPointsOfOneGivesOnePoint(TestServer server) {
        String run = run(server);
        MetricStreams.send(server.channel(), List.of(batch(run, "w", 1, "m", new long[] {0, 1, 2, 3},
                new double[] {1, 9, -5, 2})));

        Series one = MetricStreams.history(server.channel(), history(run, "m").toBuilder().setMaxPoints(1).build());

        assertThat(one.size()).isEqualTo(1);
        assertThat(one.values()).containsExactly(9.0);
        assertThat(one.downsampled()).isTrue();
    }

    @Test
    void aBadBatchFailsTheStreamAndKeepsEarlierBatches(TestServer server) {
        String run = run(server);
        MetricBatch good1 = batch(run, "w", 1, "loss", new long[] {0}, new double[] {1});
        MetricBatch good2 = batch(run, "w", 2, "loss", new long[] {1}, new double[] {2});
        MetricBatch ragged = batch(run, "w", 3, "loss", new long[] {2, 3}, new double[] {3, 4}).toBuilder()
                .addValue(5).build();
        MetricBatch after = batch(run, "w", 4, "loss", new long[] {9}, new double[] {9});

        var e = assertInvalidField("batch", () -> MetricStreams.send(server.channel(),
                List.of(good1, good2, ragged, after)));

        assertThat(e.getStatus().getDescription()).contains("equal lengths").contains("message 2");
        assertThat(MetricStreams.history(server.channel(), history(run, "loss")).values()).containsExactly(1.0, 2.0);
        assertThat(server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run).setWriterId("w")
                .build()).getLastSequence()).isEqualTo(2);
    }

    @Test
    void badBatchesNameTheField(TestServer server) {
        String run = run(server);
        var channel = server.channel();
        long[] one = {0};
        double[] v = {1};
        assertInvalidField("batch.keys[0]", () -> MetricStreams.send(channel,
                List.of(batch(run, "w", 1, "bad key!", one, v))));
        assertInvalidField("batch.keys[0]", () -> MetricStreams.send(channel,
                List.of(batch(run, "w", 1, "k".repeat(251), one, v))));
        assertInvalidField("batch.key_index[0]", () -> MetricStreams.send(channel,
                List.of(batch(run, "w", 1, "loss", one, v).toBuilder().setKeyIndex(0, 3).build())));
        assertInvalidField("batch.sequence", () -> MetricStreams.send(channel,
                List.of(batch(run, "w", 0, "loss", one, v))));
        assertInvalidField("batch.sequence", () -> MetricStreams.send(channel,
                List.of(batch(run, "", 1, "loss", one, v))));
        assertInvalidField("batch.writer_id", () -> MetricStreams.send(channel,
                List.of(batch(run, "bad writer!", 1, "loss", one, v))));
        assertInvalidField("batch.run_id", () -> MetricStreams.send(channel,
                List.of(batch("not-a-run", "w", 1, "loss", one, v))));
        long[] tooMany = new long[100_001];
        assertInvalidField("batch", () -> MetricStreams.send(channel,
                List.of(batch(run, "w", 1, "loss", tooMany, new double[tooMany.length]))));
        assertStatus(Code.NOT_FOUND, () -> MetricStreams.send(channel,
                List.of(batch(UUID.randomUUID().toString(), "w", 1, "loss", one, v))));
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetricsList()).isEmpty();
        assertInvalidField("max_points", () -> MetricStreams.history(channel, history(run, "loss").toBuilder()
                .setMaxPoints(-1).build()));
        assertStatus(Code.NOT_FOUND, () -> MetricStreams.history(channel, history(run, "absent")));
    }

    @Test
    void anOversizedMessageIsResourceExhausted(TestServer server) throws Exception {
        String run = run(server);
        MetricBatch big = batch(run, "w", 1, "loss", new long[] {0}, new double[] {1}).toBuilder()
                .addKeys("x".repeat(17 * 1024 * 1024)).build();

        // The transport refuses the frame before any interceptor sees it, so this status cannot
        // carry an ErrorInfo (see ErrorDetailsInterceptor): sent on a channel without the audit.
        ManagedChannel unaudited = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            var e = catchThrowableOfType(io.grpc.StatusRuntimeException.class,
                    () -> MetricStreams.send(unaudited, List.of(big)));
            assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("16777216");
        } finally {
            unaudited.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetricsList()).isEmpty();
    }

    @Test
    void deletedRunsRefuseMetricsAndPurgeRemovesThem(TestServer server) throws Exception {
        String run = run(server);
        MetricStreams.send(server.channel(), List.of(batch(run, "w", 1, "loss", new long[] {0}, new double[] {1})));
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run).build());

        assertStatus(Code.FAILED_PRECONDITION, () -> MetricStreams.send(server.channel(),
                List.of(batch(run, "w", 2, "loss", new long[] {1}, new double[] {2}))));
        assertThat(MetricStreams.history(server.channel(), history(run, "loss")).size()).isEqualTo(1);

        server.runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(run).build());
        try (Connection c = server.jdbc(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM metric_series) "
                        + "+ (SELECT count(*) FROM metric_chunk) + (SELECT count(*) FROM run_writer)")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void summariesMatchTheStoredPointsAcrossManyBatches(TestServer server) {
        String run = run(server);
        List<MetricBatch> batches = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        List<Double> all = new ArrayList<>();
        for (int seq = 1; seq <= 20; seq++) {
            int n = 1 + random.nextInt(500);
            long[] steps = new long[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                steps[i] = random.nextInt(5000);
                values[i] = random.nextGaussian();
                all.add(values[i]);
            }
            batches.add(batch(run, "w", seq, "noise", steps, values));
        }
        MetricStreams.send(server.channel(), batches);

        Series s = MetricStreams.history(server.channel(), history(run, "noise"));
        assertThat(s.steps()).isSorted();
        assertThat(s.values()).containsExactlyInAnyOrderElementsOf(all);
        MetricSummary summary = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetrics(0);
        assertThat(summary.getCount()).isEqualTo(all.size());
        assertThat(summary.getMin()).isEqualTo(all.stream().mapToDouble(d -> d).min().orElseThrow());
        assertThat(summary.getMax()).isEqualTo(all.stream().mapToDouble(d -> d).max().orElseThrow());
        // The last point is the highest step; among equal steps, the latest to arrive.
        assertThat(summary.getLastStep()).isEqualTo(s.steps().get(s.size() - 1));
        assertThat(summary.getLastValue()).isEqualTo(s.values().get(s.size() - 1));
        Map<Long, Long> perStep = s.steps().stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        assertThat(perStep.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(all.size());
    }

    /**
     * Unary batches from several threads into one run, each naming new and existing keys (in
     * different orders within the batch): the series are created once, locked in key order (no
     * deadlock, no lost update), and every summary counts every point.
     */
    @Test
    void concurrentBatchesCreatingAndUpdatingTheSameSeriesLoseNothing(TestServer server) throws Exception {
        String run = run(server);
        int threads = 6;
        int batchesPerThread = 15;
        List<String> keys = List.of("k/a", "k/b", "k/c", "k/d", "k/e", "k/f", "k/g", "k/h");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < batchesPerThread; i++) {
                        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run);
                        // Each batch: 4 of the 8 keys, listed in reverse rotation, 10 points each.
                        for (int k = 0; k < 4; k++) {
                            b.addKeys(keys.get((thread + i + 3 * k) % keys.size()));
                        }
                        for (int p = 0; p < 40; p++) {
                            long step = (long) i * 100 + p;
                            b.addKeyIndex(3 - p % 4).addStep(step).addTimestampMs(T0 + step).addValue(thread + p / 1000.0);
                        }
                        assertThat(server.metrics().batchLogMetrics(dev.labbook.api.v1.BatchLogMetricsRequest
                                .newBuilder().setBatch(b).build()).getAcceptedPoints()).isEqualTo(40);
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<MetricSummary> summaries = server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run)
                .build()).getMetricsList();
        long total = 0;
        for (MetricSummary summary : summaries) {
            Series s = MetricStreams.history(server.channel(), history(run, summary.getKey()));
            assertThat(summary.getCount()).as(summary.getKey()).isEqualTo(s.size());
            total += s.size();
        }
        assertThat(total).isEqualTo((long) threads * batchesPerThread * 40);
        assertThat(summaries).extracting(MetricSummary::getKey).containsExactlyElementsOf(keys);
    }
}
