package dev.labbook.bench;

import static dev.labbook.bench.BenchArgs.fmt;
import static dev.labbook.bench.BenchArgs.intOption;

import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookOptions;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.Run;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * bench/run java-sdk: what training code pays per {@code Run.logMetric} call, and how many
 * points per second the SDK gets from the caller into the server (confirmed) end to end.
 */
public final class JavaSdkBench {
    private static final PrintStream RESULTS =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final String[] KEYS = {"train/loss", "train/acc", "val/loss", "val/acc", "lr", "grad_norm",
        "throughput", "gpu_mem", "epoch_time", "weight_norm"};

    private JavaSdkBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchArgs.parse(args);
        String target = options.getOrDefault("host", "127.0.0.1") + ":" + intOption(options, "port", 7800);
        int costPoints = intOption(options, "cost-points", 5_000_000);
        int group = intOption(options, "cost-group", 100);
        int e2ePoints = intOption(options, "e2e-points", 10_000_000);
        Path spool = Files.createTempDirectory("labbook-bench-spool");
        LabbookOptions opts = LabbookOptions.defaults().withSpoolDir(spool).withCloseTimeout(Duration.ofMinutes(5));
        try (Labbook lb = Labbook.connect(target, opts)) {
            // 1. caller cost: groups of `group` calls timed with nanoTime (one nanoTime pair per
            // group, so the clock's own ~20 ns is spread over the group); p50 of the per-call means
            try (Run warm = lb.experiment("sdk-bench").startRun("warm-up")) {
                logLoop(warm, 2_000_000);
            }
            long[] perCall = new long[costPoints / group];
            try (Run run = lb.experiment("sdk-bench").startRun("caller-cost")) {
                int step = 0;
                for (int g = 0; g < perCall.length; g++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < group; i++) {
                        run.logMetric(KEYS[i % KEYS.length], 0.5 + (i & 7), step);
                        if (i % KEYS.length == KEYS.length - 1) {
                            step++;
                        }
                    }
                    perCall[g] = (System.nanoTime() - t0) / group;
                }
                run.flush();
            }
            Arrays.sort(perCall);
            long p50 = perCall[perCall.length / 2];
            long p99 = perCall[(int) (perCall.length * 0.99)];
            System.err.printf("caller cost: %d calls in groups of %d, p50 %d ns, p99 %d ns, max %d ns%n",
                    costPoints, group, p50, p99, perCall[perCall.length - 1]);

            // 2. end to end: from the first logMetric until flush() returns (server confirmed)
            String runId;
            long t0 = System.nanoTime();
            try (Run run = lb.experiment("sdk-bench").startRun("end-to-end")) {
                runId = run.id();
                logLoop(run, e2ePoints);
                if (!run.flush()) {
                    throw new IllegalStateException("flush timed out");
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long stored = 0;
            for (MetricSummary m : lb.client().metrics().list(runId)) {
                stored += m.count();
            }
            if (stored != e2ePoints) {
                throw new IllegalStateException("stored " + stored + " points, logged " + e2ePoints);
            }
            System.err.printf("end to end: %d points (10 keys) in %.2f s, all stored%n", e2ePoints, seconds);
            RESULTS.println("java_sdk_log_metric_ns_p50=" + p50);
            RESULTS.println("java_sdk_log_metric_ns_p99=" + p99);
            RESULTS.println("java_sdk_points_per_s=" + fmt(e2ePoints / seconds, 0));
        }
    }

    private static void logLoop(Run run, int points) {
        int step = 0;
        for (int i = 0; i < points; i++) {
            run.logMetric(KEYS[i % KEYS.length], 0.5 + (i & 7), step);
            if (i % KEYS.length == KEYS.length - 1) {
                step++;
            }
        }
    }
}
