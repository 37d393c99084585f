package dev.labbook.server.domain.metric;

import java.util.List;
import java.util.UUID;

/**
 * One columnar batch as received: point i is (keys[keyIndex[i]], steps[i], timestampsMs[i],
 * values[i]). Validated by {@link MetricService}; arrays are not copied.
 */
public record MetricBatchInput(
        UUID runId,
        String writerId,
        long sequence,
        List<String> keys,
        int[] keyIndex,
        long[] steps,
        long[] timestampsMs,
        double[] values) {

    public int pointCount() {
        return keyIndex.length;
    }
}
