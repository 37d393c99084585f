package dev.labbook.server.domain.metric;

import java.util.Objects;

/**
 * The points of one decoded metric chunk as parallel arrays, in stored order.
 *
 * <p>The arrays are handed over, not copied, because chunks hold up to many thousands of points
 * and are decoded on every read; callers own them afterwards. As with any record of arrays,
 * {@code equals} compares array identity, so compare contents explicitly (values bit-exactly via
 * {@link Double#doubleToRawLongBits} when NaN payloads matter).
 */
public record DecodedChunk(long[] steps, long[] timestampsMs, double[] values) {

    public DecodedChunk {
        Objects.requireNonNull(steps, "steps");
        Objects.requireNonNull(timestampsMs, "timestampsMs");
        Objects.requireNonNull(values, "values");
        if (steps.length != timestampsMs.length || steps.length != values.length) {
            throw new IllegalArgumentException("parallel arrays differ in length: steps=" + steps.length
                    + ", timestampsMs=" + timestampsMs.length + ", values=" + values.length);
        }
    }

    /** The number of points. */
    public int size() {
        return steps.length;
    }
}
