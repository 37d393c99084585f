package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;

import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The search benchmark client, started by {@code bench/run search}. Seeds (through the public
 * gRPC API) 10,000 runs over 10 experiments of one project, each with 20 typed params (CreateRun)
 * and 10 metric series (one BatchLogMetrics call per run), then times
 * SearchRuns over the whole project with a two-predicate filter ordered by a metric, page size
 * 100. Prints {@code name=value} lines on stdout and progress on stderr.
 */
public final class SearchBench {
    private static final PrintStream RESULTS =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    static final String PROJECT = "bench-search";
    static final String FILTER = "params.lr < 0.001 AND metrics.val_loss < 0.5";
    static final String ORDER = "metrics.val_acc DESC";
    private static final List<String> METRIC_KEYS = List.of("val_acc", "val_loss", "train_loss", "train_acc",
            "test_acc", "test_loss", "grad_norm", "lr_schedule", "epoch_time_s", "throughput");
    private static final String[] OPTIMIZERS = {"adam", "adamw", "sgd", "lamb"};

    private final Map<String, String> options;
    private final Map<String, String> results = new LinkedHashMap<>();

    private SearchBench(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) {
        System.setOut(System.err);
        int code = 0;
        try {
            new SearchBench(BenchArgs.parse(args)).run();
        } catch (Throwable t) {
            MetricsBench.log("FAILED: " + t);
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private void run() throws Exception {
        int runs = intOption("runs", 10_000);
        int experiments = intOption("experiments", 10);
        int threads = intOption("threads", 8);
        int points = intOption("points", 10);
        int queries = intOption("queries", 200);
        int pageSize = intOption("page-size", 100);
        ManagedChannel channel = NettyChannelBuilder.forAddress(options.getOrDefault("host", "127.0.0.1"),
                intOption("port", 0)).usePlaintext().maxInboundMessageSize(64 * 1024 * 1024).build();
        try {
            RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
            long t0 = System.nanoTime();
            if (!options.containsKey("reuse-seed")) { // --reuse-seed 1: query a server seeded before
                String[] ids = seed(channel, runs, experiments, threads, points);
                double seedS = (System.nanoTime() - t0) / 1e9;
                MetricsBench.log(String.format(Locale.ROOT, "seeded %d runs x 20 params x %d series (%d points "
                        + "each) in %.1f s", ids.length, METRIC_KEYS.size(), points, seedS));
                results.put("seed_runs", Integer.toString(ids.length));
                results.put("seed_s", fmt(seedS, 1));
            }
            java.time.Instant seeded = java.time.Instant.now();

            SearchRunsRequest request = SearchRunsRequest.newBuilder().setProject(PROJECT).setFilter(FILTER)
                    .addOrderBy(ORDER).setPageSize(pageSize).build();
            SearchRunsResponse first = stub.searchRuns(request);
            int matches = count(stub, request);
            MetricsBench.log("filter `" + FILTER + "` order `" + ORDER + "`: " + matches + " of " + runs
                    + " runs match; first page " + first.getRunsCount() + " runs");
            results.put("search_matches", Integer.toString(matches));

            for (int i = 0; i < 20; i++) {
                stub.searchRuns(request);
            }
            // Right after a bulk load PostgreSQL has neither statistics nor a visibility map for
            // the new rows; a long-lived database has both. Measure this state, then let
            // autovacuum catch up (as it does on its own within a minute) and measure again.
            double[] fresh = time(Math.max(1, queries / 4), () -> stub.searchRuns(request));
            results.put("search_ms_p50_fresh", fmt(percentile(fresh, 50), 1));
            if (options.containsKey("data-dir")) {
                awaitAutovacuum(Path.of(options.get("data-dir")), seeded, intOption("settle-s", 180));
            }
            for (int i = 0; i < 20; i++) {
                stub.searchRuns(request);
            }
            double[] firstPage = time(queries, () -> stub.searchRuns(request));
            SearchRunsRequest second = request.toBuilder().setPageToken(first.getNextPageToken()).build();
            double[] nextPage = time(Math.max(1, queries / 4), () -> stub.searchRuns(second));
            SearchRunsRequest best = SearchRunsRequest.newBuilder().setProject(PROJECT).addOrderBy(ORDER)
                    .setMaxResults(1).build();
            double[] bestRun = time(Math.max(1, queries / 4), () -> stub.searchRuns(best));
            results.put("search_ms_p50", fmt(percentile(firstPage, 50), 1));
            results.put("search_ms_p99", fmt(percentile(firstPage, 99), 1));
            results.put("search_page2_ms_p50", fmt(percentile(nextPage, 50), 1));
            results.put("best_run_ms_p50", fmt(percentile(bestRun, 50), 1));
            results.forEach((name, value) -> RESULTS.println(name + "=" + value));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Creates the runs on {@code threads} threads; each thread then streams its runs' metrics. */
    private static String[] seed(ManagedChannel channel, int runs, int experiments, int threads, int points)
            throws Exception {
        String[] ids = new String[runs];
        var experimentStub = dev.labbook.api.v1.ExperimentServiceGrpc.newBlockingStub(channel);
        String[] experimentIds = new String[experiments];
        for (int e = 0; e < experiments; e++) {
            experimentIds[e] = experimentStub.createExperiment(dev.labbook.api.v1.CreateExperimentRequest.newBuilder()
                    .setProject(PROJECT).setName("exp-" + e).build()).getExperiment().getId();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
                    MetricServiceGrpc.MetricServiceBlockingStub metricStub = MetricServiceGrpc.newBlockingStub(channel);
                    Random random = new Random(thread);
                    String writer = "search-bench-" + UUID.randomUUID();
                    for (int i = thread; i < runs; i += threads) {
                        ids[i] = stub.withDeadlineAfter(60, TimeUnit.SECONDS).createRun(CreateRunRequest.newBuilder()
                                .setExperimentId(experimentIds[i % experiments])
                                .setName("run-" + i).putTags("team", i % 2 == 0 ? "vision" : "nlp")
                                .addAllParams(params(random, i)).build()).getRun().getId();
                        // one batch per run: a unary call (a LogMetrics stream carries one run only)
                        metricStub.withDeadlineAfter(60, TimeUnit.SECONDS).batchLogMetrics(BatchLogMetricsRequest
                                .newBuilder().setBatch(metrics(random, ids[i], writer, points)).build());
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
        return ids;
    }

    /** Waits until autovacuum has vacuumed and analyzed, since the seeding, the tables the search reads. */
    private static void awaitAutovacuum(Path dataDir, java.time.Instant seeded, int maxSeconds) throws Exception {
        List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
        String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/labbook";
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                        + "('run', 'run_param', 'metric_series') AND greatest(last_autovacuum, last_vacuum) > "
                        + "to_timestamp(" + seeded.toEpochMilli() / 1000.0 + ") AND greatest(last_autoanalyze, "
                        + "last_analyze) > to_timestamp(" + seeded.toEpochMilli() / 1000.0 + ")")) {
                    rs.next();
                    double waited = (System.nanoTime() - start) / 1e9;
                    if (rs.getInt(1) == 3) {
                        MetricsBench.log(String.format(Locale.ROOT, "autovacuum processed the tables after %.0f s",
                                waited));
                        return;
                    }
                    if (waited > maxSeconds) {
                        MetricsBench.log("autovacuum has not processed every table after " + maxSeconds
                                + " s; measuring anyway");
                        return;
                    }
                }
                Thread.sleep(1000);
            }
        }
    }

    /** 20 typed params: lr log-uniform in [1e-5, 1e-1], ints, strings, a bool and doubles. */
    static List<Param> params(Random random, int i) {
        List<Param> params = new ArrayList<>();
        params.add(param("lr", Value.newBuilder().setDoubleValue(Math.pow(10, -5 + 4 * random.nextDouble()))));
        params.add(param("batch_size", Value.newBuilder().setIntValue(32L << random.nextInt(4))));
        params.add(param("optimizer", Value.newBuilder().setStringValue(OPTIMIZERS[random.nextInt(OPTIMIZERS.length)])));
        params.add(param("epochs", Value.newBuilder().setIntValue(10 + random.nextInt(90))));
        params.add(param("amp", Value.newBuilder().setBoolValue(random.nextBoolean())));
        params.add(param("seed", Value.newBuilder().setIntValue(i)));
        for (int k = 6; k < 20; k++) {
            Value.Builder v = switch (k % 3) {
                case 0 -> Value.newBuilder().setDoubleValue(random.nextDouble());
                case 1 -> Value.newBuilder().setIntValue(random.nextInt(1000));
                default -> Value.newBuilder().setStringValue("value-" + random.nextInt(50));
            };
            params.add(param(String.format(Locale.ROOT, "hp_%02d", k), v));
        }
        return params;
    }

    private static Param param(String key, Value.Builder value) {
        return Param.newBuilder().setKey(key).setValue(value).build();
    }

    /** One batch per run: every key at steps 0..points-1, ending at a random final value. */
    static MetricBatch metrics(Random random, String runId, String writer, int points) {
        MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(runId).setWriterId(writer).setSequence(1)
                .addAllKeys(METRIC_KEYS);
        double[] finals = new double[METRIC_KEYS.size()];
        Arrays.setAll(finals, k -> random.nextDouble());
        finals[0] = 0.5 + 0.49 * random.nextDouble(); // val_acc
        finals[1] = 0.2 + 0.8 * random.nextDouble();  // val_loss
        long ts = 1_700_000_000_000L;
        for (int step = 0; step < points; step++) {
            for (int k = 0; k < finals.length; k++) {
                double progress = (step + 1) / (double) points;
                batch.addKeyIndex(k).addStep(step).addTimestampMs(ts + step * 1000L)
                        .addValue((float) (finals[k] * progress + (1 - progress) * 0.5));
            }
        }
        return batch.build();
    }

    private static int count(RunServiceGrpc.RunServiceBlockingStub stub, SearchRunsRequest request) {
        int total = 0;
        SearchRunsRequest next = request.toBuilder().setPageSize(1000).setView(dev.labbook.api.v1.RunView.RUN_VIEW_BASIC)
                .build();
        while (true) {
            SearchRunsResponse page = stub.searchRuns(next);
            total += page.getRunsCount();
            if (page.getNextPageToken().isEmpty()) {
                return total;
            }
            next = next.toBuilder().setPageToken(page.getNextPageToken()).build();
        }
    }

    private static double[] time(int n, Runnable call) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private int intOption(String name, int fallback) {
        return BenchArgs.intOption(options, name, fallback);
    }


}
