package dev.labbook.sdk.internal;

import dev.labbook.api.v1.MetricBatch;
import java.util.List;

/**
 * A sealed, immutable run of metric points in columnar form, with key indexes into the run's
 * key table (not yet the per-batch dictionary of the wire format).
 */
public record PointBlock(int[] keys, long[] steps, long[] timestampsMs, double[] values, int size) {

    /** The wire batch: a dictionary of the keys this block uses, and the four parallel arrays. */
    public MetricBatch toBatch(String runId, String writerId, long sequence, List<String> keyNames) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId(writerId).setSequence(sequence);
        int[] local = new int[keyNames.size()];
        java.util.Arrays.fill(local, -1);
        int dictionary = 0;
        for (int i = 0; i < size; i++) {
            int global = keys[i];
            if (local[global] < 0) {
                local[global] = dictionary++;
                b.addKeys(keyNames.get(global));
            }
            b.addKeyIndex(local[global]);
        }
        for (int i = 0; i < size; i++) {
            b.addStep(steps[i]);
        }
        for (int i = 0; i < size; i++) {
            b.addTimestampMs(timestampsMs[i]);
        }
        for (int i = 0; i < size; i++) {
            b.addValue(values[i]);
        }
        return b.build();
    }
}
