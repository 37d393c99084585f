package dev.labbook.bench;

import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic training curves shaped like what a real training loop logs: every step logs each
 * key once, with the same wall-clock timestamp, advancing irregularly by 50-150 ms per step.
 * Values are float32 in origin (widened to double, as a PyTorch/NumPy float32 scalar would be),
 * positive and noisy: a decaying exponential plus half-normal noise.
 */
final class TrainingCurve {
    /** Ten keys, the first one named like the usual loss. */
    static final List<String> TEN_KEYS = List.of("train/loss", "train/accuracy", "train/lr", "train/grad_norm",
            "train/tokens_per_s", "val/loss", "val/accuracy", "gpu/memory_gb", "gpu/utilization", "time/step_s");

    private final List<String> keys;
    private final Random rng;
    private final String runId;
    private final String writerId;
    private long nextStep;
    private long timestampMs;
    private long sequence;

    TrainingCurve(String runId, String writerId, List<String> keys, long seed) {
        this.runId = runId;
        this.writerId = writerId;
        this.keys = List.copyOf(keys);
        this.rng = new Random(seed);
        this.timestampMs = 1_767_225_600_000L + (seed & 0xFFFF) * 1000; // 2026-01-01, spread per run
    }

    /** Value of key {@code k} at {@code step}: float32-origin, positive, noisy. */
    double value(int k, long step) {
        double base = 0.1 * (1 + k % 3);
        double amplitude = 2.0 / (1 + k);
        double decay = 200_000.0 * (1 + k % 4);
        return (double) (float) (base + amplitude * Math.exp(-step / decay) + 0.05 * Math.abs(rng.nextGaussian()));
    }

    /** The next batch: {@code steps} consecutive steps, every key at each step. */
    LogMetricsRequest nextBatch(int steps) {
        int n = steps * keys.size();
        MetricBatch.Builder b = MetricBatch.newBuilder()
                .setRunId(runId)
                .setWriterId(writerId)
                .setSequence(++sequence)
                .addAllKeys(keys);
        // Fill column by column from primitive arrays (no boxing).
        int[] keyIndex = new int[n];
        long[] step = new long[n];
        long[] ts = new long[n];
        double[] value = new double[n];
        int i = 0;
        for (int s = 0; s < steps; s++) {
            long st = nextStep++;
            timestampMs += 50 + rng.nextInt(101);
            for (int k = 0; k < keys.size(); k++, i++) {
                keyIndex[i] = k;
                step[i] = st;
                ts[i] = timestampMs;
                value[i] = value(k, st);
            }
        }
        for (int j = 0; j < n; j++) {
            b.addKeyIndex(keyIndex[j]);
        }
        for (int j = 0; j < n; j++) {
            b.addStep(step[j]);
        }
        for (int j = 0; j < n; j++) {
            b.addTimestampMs(ts[j]);
        }
        for (int j = 0; j < n; j++) {
            b.addValue(value[j]);
        }
        return LogMetricsRequest.newBuilder().setBatch(b).build();
    }

    /** {@code batches} batches of {@code stepsPerBatch} steps each. */
    List<LogMetricsRequest> batches(int batches, int stepsPerBatch) {
        List<LogMetricsRequest> out = new ArrayList<>(batches);
        for (int i = 0; i < batches; i++) {
            out.add(nextBatch(stepsPerBatch));
        }
        return out;
    }
}
