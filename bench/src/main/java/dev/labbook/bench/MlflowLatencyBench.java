package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;

import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one small unary metric batch, the unit of MLflow's {@code log_batch} (1,000 metrics
 * in 10 keys): what one call of {@code bench/run mlflow} costs the server, without the MLflow
 * client's own encoding (~14 ms per call, not the server's). One thread, one call at a time,
 * request bodies built before the clock; after {@code --warmup} untimed calls, {@code --calls}
 * timed ones of each kind:
 *
 * <ul>
 *   <li>{@code grpc}: BatchLogMetrics over loopback gRPC, 1,000 points in 10 series;
 *   <li>{@code http}: a raw HTTP POST of MLflow's JSON to {@code /api/2.0/mlflow/runs/log-batch}
 *       (Labbook's MLflow adapter), the same 1,000 points, over one keep-alive connection as the
 *       MLflow client's requests session uses.
 * </ul>
 *
 * Prints {@code mlflow_latency_<kind>_ms_median|p90|min} lines and the CPU per timed call of the
 * server JVM and of PostgreSQL ({@code mlflow_latency_<kind>_server_cpu_ms_per_call},
 * {@code _postgres_cpu_ms_per_call}; from /proc, 10 ms ticks, so use a few hundred calls). Each
 * kind logs to its own run.
 */
public final class MlflowLatencyBench {
    static final int KEYS = 10;
    static final int POINTS = 1_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchArgs.parse(args);
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(options.get("port"));
        int httpPort = Integer.parseInt(options.get("http-port"));
        int calls = BenchArgs.intOption(options, "calls", 1000);
        // A fresh server JVM still compiles its per-request code (C2) for the first few thousand
        // calls, and that compiling was most of the CPU measured after 200: 3,000 untimed ones.
        int warmup = BenchArgs.intOption(options, "warmup", 3000);
        String token = System.getenv("LABBOOK_TOKEN");
        CpuMeter cpu = new CpuMeter(Long.parseLong(options.get("server-pid")),
                new StorageProbe(java.nio.file.Path.of(options.get("data-dir"))).postmasterPid());

        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port).usePlaintext();
        if (token != null && !token.isEmpty()) {
            io.grpc.Metadata headers = new io.grpc.Metadata();
            headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                    "Bearer " + token);
            builder.intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        ManagedChannel channel = builder.build();
        Map<String, String> results = new LinkedHashMap<>();
        try {
            var runs = RunServiceGrpc.newBlockingStub(channel);
            var metrics = MetricServiceGrpc.newBlockingStub(channel);
            String grpcRun = openRun(runs, "latency-grpc");
            String httpRun = openRun(runs, "latency-http");
            int total = warmup + calls;

            List<BatchLogMetricsRequest> grpcBatches = new ArrayList<>(total);
            List<String> httpBodies = new ArrayList<>(total);
            long now = System.currentTimeMillis();
            for (int call = 0; call < total; call++) {
                grpcBatches.add(grpcBatch(grpcRun, call, now));
                httpBodies.add(httpBody(httpRun, call, now));
            }

            long[] grpc = new long[total];
            double[] cpuBefore = null;
            for (int call = 0; call < total; call++) {
                if (call == warmup) {
                    cpuBefore = cpu.sample();
                }
                long start = System.nanoTime();
                metrics.withDeadlineAfter(30, TimeUnit.SECONDS).batchLogMetrics(grpcBatches.get(call));
                grpc[call] = System.nanoTime() - start;
            }
            putCpu(results, "grpc", cpuBefore, cpu.sample(), calls);
            put(results, "grpc", Arrays.copyOfRange(grpc, warmup, total));

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://" + host + ":" + httpPort + "/api/2.0/mlflow/runs/log-batch");
            long[] posts = new long[total];
            for (int call = 0; call < total; call++) {
                if (call == warmup) {
                    cpuBefore = cpu.sample();
                }
                HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(httpBodies.get(call)));
                if (token != null && !token.isEmpty()) {
                    request.header("Authorization", "Bearer " + token);
                }
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                posts[call] = System.nanoTime() - start;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("log-batch answered " + response.statusCode() + ": "
                            + response.body());
                }
            }
            putCpu(results, "http", cpuBefore, cpu.sample(), calls);
            put(results, "http", Arrays.copyOfRange(posts, warmup, total));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println(name + "=" + value));
    }

    private static String openRun(RunServiceGrpc.RunServiceBlockingStub runs, String name) {
        return runs.withDeadlineAfter(30, TimeUnit.SECONDS).openRun(OpenRunRequest.newBuilder()
                .setProject("bench")
                .setExperimentName("mlflow-latency")
                .setCreateExperimentIfMissing(true)
                .setName(name)
                .build()).getRun().getId();
    }

    private static String key(int k) {
        return k == 0 ? "train/loss" : "train/metric_" + k;
    }

    private static double value(int step, int k) {
        return 0.1 + 2.0 * Math.exp(-step / 200_000.0) + 0.001 * ((step * 31 + k * 7) % 50);
    }

    /** Call {@code call}'s 100 steps × 10 keys, step-major like MLflow's batches. */
    private static BatchLogMetricsRequest grpcBatch(String runId, int call, long now) {
        MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(runId);
        for (int k = 0; k < KEYS; k++) {
            batch.addKeys(key(k));
        }
        int steps = POINTS / KEYS;
        for (int s = 0; s < steps; s++) {
            int step = call * steps + s;
            for (int k = 0; k < KEYS; k++) {
                batch.addKeyIndex(k).addStep(step).addTimestampMs(now + step).addValue(value(step, k));
            }
        }
        return BatchLogMetricsRequest.newBuilder().setBatch(batch).build();
    }

    /** The same points as MLflow's client sends them to log-batch. */
    private static String httpBody(String runId, int call, long now) {
        StringBuilder body = new StringBuilder(64 * POINTS).append("{\"run_id\": \"").append(runId)
                .append("\", \"metrics\": [");
        int steps = POINTS / KEYS;
        for (int s = 0; s < steps; s++) {
            int step = call * steps + s;
            for (int k = 0; k < KEYS; k++) {
                if (s > 0 || k > 0) {
                    body.append(", ");
                }
                body.append("{\"key\": \"").append(key(k)).append("\", \"value\": ").append(value(step, k))
                        .append(", \"timestamp\": ").append(now + step).append(", \"step\": ").append(step)
                        .append('}');
            }
        }
        return body.append("], \"params\": [], \"tags\": []}").toString();
    }

    /** CPU per timed call of the server JVM and of PostgreSQL: less sensitive to other load than wall time. */
    private static void putCpu(Map<String, String> results, String kind, double[] before, double[] after, int calls) {
        results.put("mlflow_latency_" + kind + "_server_cpu_ms_per_call", fmt((after[0] - before[0]) * 1000 / calls, 2));
        results.put("mlflow_latency_" + kind + "_postgres_cpu_ms_per_call", fmt((after[1] - before[1]) * 1000 / calls, 2));
    }

    private static void put(Map<String, String> results, String kind, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        String prefix = "mlflow_latency_" + kind + "_ms_";
        results.put(prefix + "median", fmt(sorted[sorted.length / 2] / 1e6, 2));
        results.put(prefix + "p90", fmt(sorted[(int) (sorted.length * 0.9)] / 1e6, 2));
        results.put(prefix + "min", fmt(sorted[0] / 1e6, 2));
        System.err.println(String.format(Locale.ROOT, "bench/mlflow-latency: %s: %d calls", kind, nanos.length));
    }
}
