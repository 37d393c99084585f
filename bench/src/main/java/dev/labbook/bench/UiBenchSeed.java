package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;

import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Seeds a server for the UI benchmark ({@code bench/run ui}) over gRPC, in parallel, and writes
 * what it made as JSON ({@code --out}) for {@code bench/ui/measure.mjs}, which measures the pages
 * in headless Chromium. Everything lives in project {@code bench-ui}:
 * <ul>
 * <li>run {@code ten-keys}: the 10 keys of {@link TrainingCurve#TEN_KEYS}, {@code --points}
 *     steps each (default 1,000,000: 10 M points), COMPLETED: {@code ui_run_page_ms},
 *     {@code ui_bytes_per_chart};
 * <li>run {@code many-keys}: 2,000 keys ({@code group_<i % 20>/key_<i>}) x 20 steps:
 *     {@code ui_many_keys_ms};
 * <li>runs {@code cmp-0} .. {@code cmp-19}: key {@code train/loss}, {@code --points} steps each,
 *     param {@code lr}: {@code ui_compare_ms};
 * <li>experiment {@code table}: {@code --runs} runs (default 10,000) with 20 typed params and a
 *     {@code val/accuracy} point each: {@code ui_runs_table_ms};
 * <li>run {@code live}: RUNNING, key {@code loss} with one point; the measurer logs more.
 * </ul>
 * Prints {@code ui_seed_*} lines on stdout, progress on stderr.
 */
public final class UiBenchSeed {
    private static final PrintStream RESULTS =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    static final String PROJECT = "bench-ui";
    static final String TABLE_METRIC = "val/accuracy";

    private final Map<String, String> options;

    private UiBenchSeed(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) {
        System.setOut(System.err);
        int code = 0;
        try {
            new UiBenchSeed(BenchArgs.parse(args)).run();
        } catch (Throwable t) {
            MetricsBench.log("FAILED: " + t);
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private int intOption(String name, int fallback) {
        return BenchArgs.intOption(options, name, fallback);
    }

    private void run() throws Exception {
        int points = intOption("points", 1_000_000);
        int tableRuns = intOption("runs", 10_000);
        int threads = intOption("threads", 4);
        Path out = Path.of(options.getOrDefault("out", "ui-bench-seed.json"));
        ManagedChannel channel = NettyChannelBuilder.forAddress(options.getOrDefault("host", "127.0.0.1"),
                intOption("port", 0)).usePlaintext().build();
        long t0 = System.nanoTime();
        try {
            RunServiceGrpc.RunServiceBlockingStub runs = RunServiceGrpc.newBlockingStub(channel);
            ExperimentServiceGrpc.ExperimentServiceBlockingStub experiments =
                    ExperimentServiceGrpc.newBlockingStub(channel);
            String suffix = Long.toString(System.currentTimeMillis(), 36);
            String experimentId = experiments.createExperiment(CreateExperimentRequest.newBuilder()
                    .setProject(PROJECT).setName("pages-" + suffix).build()).getExperiment().getId();
            String tableExperimentId = experiments.createExperiment(CreateExperimentRequest.newBuilder()
                    .setProject(PROJECT).setName("table-" + suffix).build()).getExperiment().getId();
            Map<String, Object> seed = new LinkedHashMap<>();
            seed.put("experimentId", experimentId);

            String tenKeys = createRun(runs, experimentId, "ten-keys", List.of());
            stream(channel, new TrainingCurve(tenKeys, "ui-bench", TrainingCurve.TEN_KEYS, 1), points, 5_000);
            finish(runs, tenKeys);
            MetricsBench.log("ten-keys: " + 10L * points + " points");
            seed.put("tenKeysRunId", tenKeys);
            seed.put("tenKeys", TrainingCurve.TEN_KEYS);

            String manyKeys = createRun(runs, experimentId, "many-keys", List.of());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                keys.add("group_" + (i % 20) + "/key_" + i);
            }
            // At most 1,000 keys per batch (the server's limit): four writers of 500 keys.
            for (int w = 0; w < 4; w++) {
                TrainingCurve curve = new TrainingCurve(manyKeys, "ui-bench-" + w, keys.subList(w * 500, w * 500 + 500), w);
                stream(channel, curve, 20, 20);
            }
            finish(runs, manyKeys);
            seed.put("manyKeysRunId", manyKeys);

            List<String> compared = compareRuns(channel, runs, experimentId, points, threads);
            MetricsBench.log("compare: 20 runs x " + points + " points");
            seed.put("compareRunIds", compared);
            seed.put("compareKey", "train/loss");

            String topRun = table(channel, tableExperimentId, tableRuns, Math.max(threads, 8));
            MetricsBench.log("table: " + tableRuns + " runs");
            seed.put("tableExperimentId", tableExperimentId);
            seed.put("tableMetric", TABLE_METRIC);
            seed.put("tableTopRunName", topRun);

            String live = createRun(runs, experimentId, "live", List.of());
            MetricServiceGrpc.newBlockingStub(channel).batchLogMetrics(BatchLogMetricsRequest.newBuilder()
                    .setBatch(MetricBatch.newBuilder().setRunId(live).addKeys("loss").addKeyIndex(0).addStep(0)
                            .addTimestampMs(System.currentTimeMillis()).addValue(1.0))
                    .build());
            seed.put("liveRunId", live);
            seed.put("liveKey", "loss");
            seed.put("points", points);
            Files.writeString(out, json(seed) + "\n");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long total = 10L * points + 40_000 + 20L * points + tableRuns + 1;
        RESULTS.println("ui_seed_points=" + total);
        RESULTS.println("ui_seed_s=" + fmt(seconds, 1));
    }

    private static String createRun(RunServiceGrpc.RunServiceBlockingStub runs, String experimentId, String name,
            List<dev.labbook.api.v1.Param> params) {
        return runs.withDeadlineAfter(60, TimeUnit.SECONDS).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(experimentId).setName(name).addAllParams(params).build()).getRun().getId();
    }

    private static void finish(RunServiceGrpc.RunServiceBlockingStub runs, String runId) {
        runs.withDeadlineAfter(60, TimeUnit.SECONDS).finishRun(FinishRunRequest.newBuilder().setRunId(runId)
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
    }

    /** {@code steps} steps of every key of {@code curve}, over LogMetrics streams of 20 batches. */
    private static void stream(ManagedChannel channel, TrainingCurve curve, int steps, int stepsPerBatch)
            throws Exception {
        MetricServiceGrpc.MetricServiceStub stub = MetricServiceGrpc.newStub(channel);
        int batches = (steps + stepsPerBatch - 1) / stepsPerBatch;
        for (int done = 0; done < batches; ) {
            List<LogMetricsRequest> part = new ArrayList<>();
            for (int i = 0; i < 20 && done < batches; i++, done++) {
                part.add(curve.nextBatch(Math.min(stepsPerBatch, steps - done * stepsPerBatch)));
            }
            MetricStreamer.stream(stub, part, 300_000);
        }
    }

    private static List<String> compareRuns(ManagedChannel channel, RunServiceGrpc.RunServiceBlockingStub runs,
            String experimentId, int points, int threads) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            ids.add(createRun(runs, experimentId, "cmp-" + r, List.of(dev.labbook.api.v1.Param.newBuilder()
                    .setKey("lr").setValue(dev.labbook.api.v1.Value.newBuilder().setDoubleValue(0.001 * (r + 1)))
                    .build())));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int r = 0; r < ids.size(); r++) {
                int run = r;
                work.add(pool.submit(() -> {
                    stream(channel, new TrainingCurve(ids.get(run), "ui-bench", List.of("train/loss"), 100 + run),
                            points, 50_000);
                    finish(runs, ids.get(run));
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return ids;
    }

    /** The runs of the table; returns the name of the run with the highest {@value #TABLE_METRIC}. */
    private static String table(ManagedChannel channel, String experimentId, int runs, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
                    MetricServiceGrpc.MetricServiceBlockingStub metrics = MetricServiceGrpc.newBlockingStub(channel);
                    Random random = new Random(thread);
                    for (int i = thread; i < runs; i += threads) {
                        String id = createRun(stub, experimentId, "run-" + i, SearchBench.params(random, i));
                        metrics.withDeadlineAfter(60, TimeUnit.SECONDS).batchLogMetrics(BatchLogMetricsRequest
                                .newBuilder().setBatch(MetricBatch.newBuilder().setRunId(id).addKeys(TABLE_METRIC)
                                        .addKeyIndex(0).addStep(0).addTimestampMs(System.currentTimeMillis())
                                        .addValue(accuracy(i)))
                                .build());
                        finish(stub, id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int top = 0;
        for (int i = 1; i < runs; i++) {
            if (accuracy(i) > accuracy(top)) {
                top = i;
            }
        }
        return "run-" + top;
    }

    /** Distinct accuracies in (0, 1), spread over the runs in no order. */
    static double accuracy(int i) {
        return ((i * 7919L) % 100_003) / 100_003.0;
    }

    private static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> json(e.getKey()) + ": " + json(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(UiBenchSeed::json).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Number) {
            return value.toString();
        }
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
