package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.BatchGetMetricHistoryResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricSeries;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** BatchGetMetricHistory: many runs' series at once, each downsampled like GetMetricHistory. */
@ExtendWith(LabbookServerExtension.class)
class BatchGetMetricHistoryIT {
    private static final Logger LOG = LoggerFactory.getLogger(BatchGetMetricHistoryIT.class);
    private static final long T0 = 1_760_000_000_000L;

    /**
     * Logs {@code n} points of a noisy decaying curve for {@code key} from step 0, in batches of
     * up to 50,000 points, with one spike up and one dip down at the given steps.
     */
    private static void logCurve(TestServer server, String run, String key, int n, long spikeAt, long dipAt,
            long seed) {
        Random random = new Random(seed);
        List<MetricBatch> batches = new ArrayList<>();
        for (int from = 0; from < n; from += 50_000) {
            MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run).addKeys(key);
            for (int step = from; step < Math.min(n, from + 50_000); step++) {
                double value = (float) (Math.exp(-step / (n / 3.0)) + 0.05 * Math.abs(random.nextGaussian()));
                if (step == spikeAt) {
                    value = 100;
                } else if (step == dipAt) {
                    value = -100;
                }
                b.addKeyIndex(0).addStep(step).addTimestampMs(T0 + step * 100L).addValue(value);
            }
            batches.add(b.build());
        }
        MetricStreams.send(server.channel(), batches);
    }

    private static BatchGetMetricHistoryResponse get(TestServer server, List<String> runs, List<String> keys,
            int maxPoints) {
        return server.metrics().batchGetMetricHistory(BatchGetMetricHistoryRequest.newBuilder().addAllRunIds(runs)
                .addAllKeys(keys).setMaxPoints(maxPoints).build());
    }

    @Test
    void returnsEveryExistingSeriesOfTwentyRunsInRequestOrder(TestServer server) {
        List<String> runs = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            String run = MetricServiceIT.run(server);
            runs.add(run);
            logCurve(server, run, "loss", 30_000, 1_000 + r * 1_000, 29_500 - r * 1_000, r);
            if (r % 2 == 0) {
                logCurve(server, run, "val/acc", 150, 10, 20, r);
            }
        }
        Collections.reverse(runs);

        BatchGetMetricHistoryResponse response = get(server, runs, List.of("val/acc", "absent", "loss"), 200);

        List<String> expected = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            int original = 19 - r;
            if (original % 2 == 0) {
                expected.add(runs.get(r) + " val/acc");
            }
            expected.add(runs.get(r) + " loss");
        }
        assertThat(response.getSeriesList()).extracting(s -> s.getRunId() + " " + s.getKey())
                .containsExactlyElementsOf(expected);
        for (MetricSeries series : response.getSeriesList()) {
            assertThat(series.getStepList()).isSorted();
            assertThat(series.getStepCount()).isEqualTo(series.getValueCount()).isEqualTo(series.getTimestampMsCount());
            if (series.getKey().equals("loss")) {
                assertThat(series.getDownsampled()).isTrue();
                assertThat(series.getStepCount()).isLessThanOrEqualTo(200).isGreaterThan(150);
                assertThat(series.getValueList()).contains(100.0, -100.0);
                int spike = series.getValueList().indexOf(100.0);
                assertThat(series.getTimestampMs(spike)).isEqualTo(T0 + series.getStep(spike) * 100L);
            } else {
                assertThat(series.getDownsampled()).isFalse();
                assertThat(series.getStepCount()).isEqualTo(150);
            }
        }
    }

    @Test
    void aStepRangeLimitsEverySeries(TestServer server) {
        String a = MetricServiceIT.run(server);
        String b = MetricServiceIT.run(server);
        logCurve(server, a, "loss", 10_000, 5_000, 6_000, 1);
        logCurve(server, b, "loss", 100, 50, 60, 2);

        BatchGetMetricHistoryResponse response = server.metrics().batchGetMetricHistory(BatchGetMetricHistoryRequest
                .newBuilder().addRunIds(a).addRunIds(b).addKeys("loss").setStartStep(4_000).setEndStep(5_999)
                .setMaxPoints(0).build());

        MetricSeries first = response.getSeries(0);
        assertThat(first.getStepList()).allSatisfy(s -> assertThat(s).isBetween(4_000L, 5_999L));
        assertThat(first.getDownsampled()).isTrue();
        assertThat(first.getStepCount()).isLessThanOrEqualTo(1000);
        assertThat(first.getValueList()).contains(100.0).doesNotContain(-100.0);
        assertThat(response.getSeries(1).getStepList()).isEmpty();
        assertThat(response.getSeries(1).getDownsampled()).isFalse();
    }

    @Test
    void limitsAreRefused(TestServer server) {
        String run = MetricServiceIT.run(server);
        List<String> runs = IntStream.range(0, 101).mapToObj(i -> UUID.randomUUID().toString()).toList();
        List<String> keys = IntStream.range(0, 101).mapToObj(i -> "k" + i).toList();

        assertInvalidField("run_ids", () -> get(server, List.of(), List.of("loss"), 0));
        assertInvalidField("run_ids", () -> get(server, runs, List.of("loss"), 0));
        assertInvalidField("run_ids", () -> get(server, List.of(run, run), List.of("loss"), 0));
        assertInvalidField("run_ids[1]", () -> get(server, List.of(run, "nope"), List.of("loss"), 0));
        assertInvalidField("keys", () -> get(server, List.of(run), List.of(), 0));
        assertInvalidField("keys", () -> get(server, List.of(run), keys, 0));
        assertInvalidField("keys", () -> get(server, List.of(run), List.of("a", "a"), 0));
        assertInvalidField("keys[1]", () -> get(server, List.of(run), List.of("a", "bad key!"), 0));
        assertInvalidField("keys", () -> get(server, runs.subList(0, 20), keys.subList(0, 51), 0));
        assertInvalidField("max_points", () -> get(server, List.of(run), List.of("loss"), 10_001));
        assertInvalidField("max_points", () -> get(server, List.of(run), List.of("loss"), -1));
        assertInvalidField("start_step", () -> server.metrics().batchGetMetricHistory(BatchGetMetricHistoryRequest
                .newBuilder().addRunIds(run).addKeys("loss").setStartStep(5).setEndStep(4).build()));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> get(server, List.of(run, UUID.randomUUID().toString()),
                List.of("loss"), 0));
        assertThat(get(server, List.of(run), List.of("loss"), 0).getSeriesList()).isEmpty();
        // 20 x 50 = 1000 series is allowed.
        assertThat(get(server, List.of(run), keys.subList(0, 50), 10_000).getSeriesList()).isEmpty();
    }

    /**
     * A chart of 20 runs of 1,000,000 points each, downsampled to 1,000 points per run: the
     * time of the whole call is logged as {@code batch_get_ms_20x1m}.
     */
    @Test
    void twentyRunsOfAMillionPointsAreChartedQuickly(TestServer server) {
        int runsCount = 20;
        int points = Integer.getInteger("labbook.bench.batchGetPoints", 1_000_000);
        List<String> runs = new ArrayList<>();
        long ingestStart = System.nanoTime();
        for (int r = 0; r < runsCount; r++) {
            String run = MetricServiceIT.run(server);
            runs.add(run);
            logCurve(server, run, "train/loss", points, 123_457L * (r + 1) % points, 654_321L * (r + 1) % points, r);
        }
        long ingestMs = (System.nanoTime() - ingestStart) / 1_000_000;

        get(server, runs, List.of("train/loss"), 1000); // warm-up
        List<Long> timesMs = new ArrayList<>();
        BatchGetMetricHistoryResponse response = null;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            response = get(server, runs, List.of("train/loss"), 1000);
            timesMs.add((System.nanoTime() - start) / 1_000_000);
        }
        Collections.sort(timesMs);
        LOG.info("batch_get_ms_20x1m={} (median of 5; all {}; {} runs x {} points ingested in {} ms)",
                timesMs.get(2), timesMs, runsCount, points, ingestMs);

        assertThat(response.getSeriesCount()).isEqualTo(runsCount);
        for (MetricSeries series : response.getSeriesList()) {
            assertThat(series.getDownsampled()).isTrue();
            assertThat(series.getStepCount()).isLessThanOrEqualTo(1000).isGreaterThan(900);
            assertThat(series.getValueList()).contains(100.0, -100.0);
            assertThat(series.getStepList()).isSorted();
        }
        assertThat(timesMs.get(2)).as("median ms").isLessThan(1000);
        assertThat(response.getSeriesList().stream().map(MetricSeries::getRunId).collect(Collectors.toList()))
                .isEqualTo(runs);
    }
}
