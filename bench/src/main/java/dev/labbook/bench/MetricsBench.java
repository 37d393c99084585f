package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListMetricsResponse;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The metrics benchmark client, started by {@code bench/run metrics} against a Labbook server
 * process it launched. Prints {@code name=value} lines on stdout and progress on stderr.
 *
 * <p>Phases: (1) one run, 10 keys, 10 M points over one LogMetrics stream; (2) 100 runs
 * ingesting concurrently, one stream and one connection each; (3) one run with a single
 * 10 M-point key; then on-disk size, a full read of a 1 M-point series and a 1000-point
 * downsampled read of the 10 M-point series. The server's heap is sampled throughout.
 */
public final class MetricsBench {
    private static final PrintStream RESULTS =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    private final Map<String, String> options;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final long deadlineNanos;
    private ManagedChannel channel;
    private RunServiceGrpc.RunServiceBlockingStub runs;
    private MetricServiceGrpc.MetricServiceStub metricsAsync;
    private MetricServiceGrpc.MetricServiceBlockingStub metrics;
    private CpuMeter cpu;
    private long serverPid;

    private MetricsBench(Map<String, String> options) {
        this.options = options;
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOption("time-limit-s", 540));
    }

    public static void main(String[] args) throws Exception {
        // Only results go to the real stdout; anything a library prints goes to stderr.
        System.setOut(System.err);
        Map<String, String> options = BenchArgs.parse(args);
        if (!options.containsKey("port") || !options.containsKey("data-dir") || !options.containsKey("server-pid")) {
            System.err.println("usage: MetricsBench --port P --data-dir DIR --server-pid PID [--host 127.0.0.1] "
                    + "[--single-steps 1000000] [--single-batch-steps 5000] [--runs 100] [--run-steps 10000] "
                    + "[--run-batch-steps 1000] [--streams 4000] [--stream-connections 100] [--stream-batches 5] "
                    + "[--stream-batch-points 100] [--long-points 10000000] [--long-batch 50000] [--reads 5] "
                    + "[--time-limit-s 540]");
            System.exit(2);
        }
        int code = 0;
        try {
            new MetricsBench(options).run();
        } catch (Throwable t) {
            log("FAILED: " + t);
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private void run() throws Exception {
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = intOption("port", 0);
        channel = channel(host, port);
        runs = RunServiceGrpc.newBlockingStub(channel);
        metricsAsync = MetricServiceGrpc.newStub(channel);
        metrics = MetricServiceGrpc.newBlockingStub(channel);
        Path dataDir = Path.of(options.get("data-dir"));
        serverPid = Long.parseLong(options.get("server-pid"));
        StorageProbe probe = new StorageProbe(dataDir);
        cpu = new CpuMeter(serverPid, probe.postmasterPid());

        long pointsTotal = 0;
        try (HeapSampler heap = HeapSampler.start(serverPid, 200)) {
            // Phase 1: one run, 10 keys, one long stream.
            int singleSteps = intOption("single-steps", 1_000_000);
            int batchSteps = intOption("single-batch-steps", 5_000);
            String singleRun = createRun("ten-keys");
            String lossKey = TrainingCurve.TEN_KEYS.get(0);
            pointsTotal += ingestSingle("ingest_points_per_s", singleRun, TrainingCurve.TEN_KEYS, singleSteps,
                    batchSteps, 1);
            results.put("ingest_batch_points", Integer.toString(batchSteps * TrainingCurve.TEN_KEYS.size()));
            checkCounts(singleRun, singleSteps);
            StorageProbe.Sizes first = probe.measure();
            log("storage after phase 1: " + first.breakdown());
            log(String.format(Locale.ROOT, "  %d points in %d chunks; chunk payload %.3f bytes/point, "
                    + "tables %.3f bytes/point", first.points(), first.chunks(),
                    (double) first.payloadBytes() / first.points(), first.bytesPerPoint()));
            results.put("bytes_per_point_single_run", fmt(first.bytesPerPoint(), 3));

            // Phase 2: 100 runs at once.
            pointsTotal += ingestConcurrent(host, port);

            // Phase 3: one key, 10 M points (for the downsampled read).
            int longPoints = intOption("long-points", 10_000_000);
            int longBatch = intOption("long-batch", 50_000);
            String longRun = createRun("one-key-10m");
            String longKey = "train/loss";
            pointsTotal += ingestSingle("ingest_points_per_s_1key", longRun, List.of(longKey), longPoints, longBatch, 3);
            checkCounts(longRun, (long) longPoints / longBatch * longBatch);

            // Storage over everything stored.
            StorageProbe.Sizes all = probe.measure();
            log("storage after all ingest: " + all.breakdown());
            log(String.format(Locale.ROOT, "  %d points in %d chunks; chunk payload %.3f bytes/point",
                    all.points(), all.chunks(), (double) all.payloadBytes() / all.points()));
            if (all.points() != pointsTotal) {
                log("WARNING: metric_series counts " + all.points() + " points, the client sent " + pointsTotal);
            }
            results.put("bytes_per_point", fmt(all.bytesPerPoint(), 3));
            results.put("points_total", Long.toString(all.points()));

            // Reads.
            int reads = intOption("reads", 5);
            // The first reads after ingest are also the first time the server (and this client)
            // run the read path: the JIT compiles it while they run (see _server_jit_ms). The
            // _warm figure reads the same series again after 20 more reads, as a server that
            // has served reads for a while does.
            results.put("history_read_ms_1m",
                    fmt(medianRead("history_read_ms_1m", singleRun, lossKey, 0, singleSteps, 1, reads), 1));
            results.put("downsampled_read_ms_10m",
                    fmt(medianRead("downsampled_read_ms_10m", longRun, longKey, 1000, 1000, 1, reads), 1));
            results.put("history_read_ms_1m_warm",
                    fmt(medianRead("history_read_ms_1m_warm", singleRun, lossKey, 0, singleSteps, 20, reads), 1));

            // Last: 4,000 writers at once, small batches (after the storage and read figures, which
            // its 4,000 small series would change): memory and threads stay bounded.
            ingestManyStreams(host, port);

            Thread.sleep(500); // one more heap sample after the last read
            if (heap.samples() == 0) {
                log("WARNING: no heap samples from jstat" + (heap.error() == null ? "" : ": " + heap.error()));
            }
            log(String.format(Locale.ROOT, "heap: %d samples, peak %.1f MB, last %.1f MB", heap.samples(),
                    heap.peakMb(), heap.lastMb()));
            results.put("server_heap_mb_peak", fmt(heap.peakMb(), 1));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        results.put("server_xmx_mb", "512");
        results.forEach((name, value) -> RESULTS.println(name + "=" + value));
    }

    private static ManagedChannel channel(String host, int port) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024);
        // With access control on (bench/run with BENCH_AUTH=1), every call carries the token.
        String token = System.getenv("LABBOOK_TOKEN");
        if (token != null && !token.isEmpty()) {
            io.grpc.Metadata headers = new io.grpc.Metadata();
            headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                    "Bearer " + token);
            builder.intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return builder.build();
    }

    private String createRun(String name) {
        return runs.withDeadlineAfter(30, TimeUnit.SECONDS).openRun(OpenRunRequest.newBuilder()
                .setProject("bench")
                .setExperimentName("metrics-bench")
                .setCreateExperimentIfMissing(true)
                .setName(name)
                .build()).getRun().getId();
    }

    /** One run, one stream of prebuilt batches; prints name=points/s and returns the points. */
    private long ingestSingle(String name, String runId, List<String> keys, int steps, int batchSteps, long seed)
            throws Exception {
        int batches = steps / batchSteps;
        if (batches < 1) {
            throw new IllegalArgumentException(name + ": " + steps + " steps make no batch of " + batchSteps);
        }
        long t0 = System.nanoTime();
        List<LogMetricsRequest> requests = new TrainingCurve(runId, "bench-" + name, keys, seed)
                .batches(batches, batchSteps);
        long points = (long) batches * batchSteps * keys.size();
        long wire = requests.stream().mapToLong(LogMetricsRequest::getSerializedSize).sum();
        double buildS = (System.nanoTime() - t0) / 1e9;
        log(String.format(Locale.ROOT, "%s: built %d batches of %d points (%.1f MB on the wire, %.1f bytes/point) "
                        + "in %.1f s (%.0f points/s client-side build, not timed)", name, batches,
                batchSteps * keys.size(), wire / 1e6, (double) wire / points, buildS, points / buildS));
        double[] cpu0 = cpu.sample();
        MetricStreamer.Result r = MetricStreamer.stream(metricsAsync, requests, remainingMs());
        log(name + ": " + cpu.since(cpu0, r.seconds()));
        requests = null;
        requireAccepted(r, batches, points);
        double rate = points / r.seconds();
        log(String.format(Locale.ROOT, "%s: %d points committed in %.2f s = %.0f points/s (%.1f MB/s on the wire)",
                name, points, r.seconds(), rate, wire / 1e6 / r.seconds()));
        results.put(name, fmt(rate, 0));
        return points;
    }

    /** Phase 2: many runs, one thread, connection and stream each, started together. */
    private long ingestConcurrent(String host, int port) throws Exception {
        int runCount = intOption("runs", 100);
        int steps = intOption("run-steps", 10_000);
        int batchSteps = intOption("run-batch-steps", 1_000);
        int batches = steps / batchSteps;
        List<String> keys = TrainingCurve.TEN_KEYS;
        long perRun = (long) batches * batchSteps * keys.size();
        long t0 = System.nanoTime();
        List<List<LogMetricsRequest>> work = new ArrayList<>(runCount);
        for (int i = 0; i < runCount; i++) {
            String runId = createRun(String.format(Locale.ROOT, "pod-%03d", i));
            work.add(new TrainingCurve(runId, "pod-" + i, keys, 1000 + i).batches(batches, batchSteps));
        }
        log(String.format(Locale.ROOT, "ingest_points_per_s_%d_runs: created %d runs and built %d batches of %d "
                + "points each in %.1f s", runCount, runCount, runCount * batches, batchSteps * keys.size(),
                (System.nanoTime() - t0) / 1e9));
        List<ManagedChannel> channels = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(runCount);
        try {
            CountDownLatch ready = new CountDownLatch(runCount);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<MetricStreamer.Result>> futures = new ArrayList<>();
            for (int i = 0; i < runCount; i++) {
                ManagedChannel ch = channel(host, port);
                channels.add(ch);
                MetricServiceGrpc.MetricServiceStub stub = MetricServiceGrpc.newStub(ch);
                // Connect before the clock starts.
                ch.getState(true);
                List<LogMetricsRequest> mine = work.get(i);
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return MetricStreamer.stream(stub, mine, remainingMs());
                }));
            }
            ready.await();
            Thread.sleep(200);
            double[] cpu0 = cpu.sample();
            long start = System.nanoTime();
            go.countDown();
            long last = start;
            double slowest = 0;
            double fastest = Double.MAX_VALUE;
            for (Future<MetricStreamer.Result> f : futures) {
                MetricStreamer.Result r = f.get(remainingMs() + 1000, TimeUnit.MILLISECONDS);
                requireAccepted(r, batches, perRun);
                last = Math.max(last, r.ackNanos());
                slowest = Math.max(slowest, r.seconds());
                fastest = Math.min(fastest, r.seconds());
            }
            work.clear();
            long points = perRun * runCount;
            double seconds = (last - start) / 1e9;
            log("ingest_points_per_s_" + runCount + "_runs: " + cpu.since(cpu0, seconds));
            double rate = points / seconds;
            log(String.format(Locale.ROOT, "ingest_points_per_s_%d_runs: %d points committed in %.2f s = %.0f "
                    + "points/s (per-run stream %.2f-%.2f s)", runCount, points, seconds, rate, fastest, slowest));
            results.put("ingest_points_per_s_" + runCount + "_runs", fmt(rate, 0));
            return points;
        } finally {
            pool.shutdownNow();
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
        }
    }

    /** Phase 2b: {@code --streams} concurrent writers (see {@link ManyStreams}); returns the points stored. */
    private long ingestManyStreams(String host, int port) throws Exception {
        int streams = intOption("streams", 4_000);
        int connections = intOption("stream-connections", 100);
        int batches = intOption("stream-batches", 5);
        int points = intOption("stream-batch-points", 100);
        if (streams == 0) {
            return 0;
        }
        String name = "_" + streams + "_streams";
        double[] cpu0 = cpu.sample();
        ManyStreams.Result r = ManyStreams.run(() -> channel(host, port), this::createRun, serverPid, streams,
                connections, batches, points, Math.max(10_000, remainingMs() - 60_000));
        log("ingest_points_per_s" + name + ": " + cpu.since(cpu0, r.seconds()));
        log(String.format(Locale.ROOT, "ingest_points_per_s%s: %d writers on %d connections, %d batches of %d points "
                + "each: %d points committed in %.2f s; %d streams failed %s; server RSS %.0f MB before, peak %.0f MB; "
                + "threads %d before, %d with every stream open, peak %d", name, streams, connections, batches, points,
                r.pointsAccepted(), r.seconds(), r.failedStreams(), r.failures(), r.rssMbBefore(), r.rssMbPeak(),
                r.threadsBefore(), r.threadsWithStreamsOpen(), r.threadsPeak()));
        results.put("ingest_points_per_s" + name, fmt(r.pointsAccepted() / r.seconds(), 0));
        results.put("server_rss_mb" + name, fmt(r.rssMbPeak(), 0));
        results.put("server_threads" + name, Integer.toString(r.threadsPeak()));
        results.put("failed_streams" + name, Integer.toString(r.failedStreams()));
        return r.pointsAccepted();
    }

    private static void requireAccepted(MetricStreamer.Result r, int batches, long points) {
        if (r.response().getAcceptedBatches() != batches || r.response().getAcceptedPoints() != points) {
            throw new IllegalStateException("server accepted " + r.response().getAcceptedBatches() + " batches / "
                    + r.response().getAcceptedPoints() + " points, expected " + batches + " / " + points
                    + " (skipped " + r.response().getSkippedDuplicateBatches() + ")");
        }
    }

    private void checkCounts(String runId, long perKey) {
        ListMetricsResponse list = metrics.withDeadlineAfter(30, TimeUnit.SECONDS)
                .listMetrics(ListMetricsRequest.newBuilder().setRunId(runId).build());
        for (MetricSummary s : list.getMetricsList()) {
            if (s.getCount() != perKey) {
                throw new IllegalStateException("key " + s.getKey() + " has " + s.getCount() + " points, expected "
                        + perKey);
            }
        }
    }

    /**
     * Median client-side wall time (ms) of reading a whole series through GetMetricHistory, from
     * the call to the end of the stream, over {@code reads} reads after {@code warmUps} untimed
     * ones; also records {@code <name>_server_jit_ms}, the server JVM's JIT compile time during
     * the timed reads.
     */
    private double medianRead(String name, String runId, String key, int maxPoints, long expectedPoints, int warmUps,
            int reads) {
        double[] ms = new double[reads];
        double[] cpu0 = null;
        double compiled0 = 0;
        long timedStart = 0;
        for (int i = -warmUps; i < reads; i++) {
            if (i == 0) {
                compiled0 = CompileTime.seconds(serverPid);
                cpu0 = cpu.sample();
                timedStart = System.nanoTime();
            }
            long t0 = System.nanoTime();
            Iterator<GetMetricHistoryResponse> pages = metrics.withDeadlineAfter(remainingMs(), TimeUnit.MILLISECONDS)
                    .getMetricHistory(GetMetricHistoryRequest.newBuilder()
                            .setRunId(runId).setKey(key).setMaxPoints(maxPoints).build());
            long count = 0;
            int messages = 0;
            long lastStep = Long.MIN_VALUE;
            boolean ordered = true;
            boolean downsampled = false;
            while (pages.hasNext()) {
                GetMetricHistoryResponse page = pages.next();
                messages++;
                int n = page.getStepCount();
                count += n;
                downsampled |= page.getDownsampled();
                if (n > 0) {
                    ordered &= page.getStep(0) >= lastStep;
                    lastStep = page.getStep(n - 1);
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e6;
            if (i >= 0) {
                ms[i] = elapsed;
            }
            log(String.format(Locale.ROOT, "%s: %s %d points in %d messages in %.1f ms%s", name,
                    i < 0 ? "warm-up " + (i + warmUps + 1) : "read " + (i + 1), count, messages, elapsed,
                    downsampled ? " (downsampled)" : ""));
            if (!ordered) {
                log("WARNING: " + name + " returned steps out of order");
            }
            if (maxPoints == 0 && count != expectedPoints) {
                log("WARNING: " + name + " returned " + count + " points, expected " + expectedPoints);
            }
            if (maxPoints > 0 && count > maxPoints) {
                log("WARNING: " + name + " returned " + count + " points, more than max_points=" + maxPoints);
            }
        }
        double wallSeconds = (System.nanoTime() - timedStart) / 1e9;
        String cpuLine = cpu.since(cpu0, wallSeconds);
        double compiledMs = (CompileTime.seconds(serverPid) - compiled0) * 1000;
        results.put(name + "_server_jit_ms", fmt(compiledMs, 0));
        log(name + ": " + reads + " timed reads: " + cpuLine + "; server JIT compiling " + fmt(compiledMs, 0) + " ms");
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private long remainingMs() {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left <= 0) {
            throw new IllegalStateException("benchmark time limit reached");
        }
        return left;
    }

    private int intOption(String name, int fallback) {
        return BenchArgs.intOption(options, name, fallback);
    }



    static void log(String message) {
        System.err.println("bench " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
    }
}
