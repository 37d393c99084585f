package dev.labbook.server.domain.metric;

/**
 * What reads need to know about a chunk without decoding it: size, step range, whether its
 * steps never decrease, and its smallest and largest non-NaN points (null when all are NaN).
 */
public record ChunkSummary(int count, long minStep, long maxStep, boolean sorted, Point minPoint, Point maxPoint) {

    /** Summarises points [from, to) of parallel arrays. */
    public static ChunkSummary of(long[] steps, long[] timestamps, double[] values, int from, int to) {
        long minStep = Long.MAX_VALUE;
        long maxStep = Long.MIN_VALUE;
        boolean sorted = true;
        int minAt = -1;
        int maxAt = -1;
        for (int i = from; i < to; i++) {
            long step = steps[i];
            minStep = Math.min(minStep, step);
            maxStep = Math.max(maxStep, step);
            if (i > from && step < steps[i - 1]) {
                sorted = false;
            }
            double v = values[i];
            if (!Double.isNaN(v)) {
                if (minAt < 0 || v < values[minAt]) {
                    minAt = i;
                }
                if (maxAt < 0 || v > values[maxAt]) {
                    maxAt = i;
                }
            }
        }
        return new ChunkSummary(to - from, minStep, maxStep, sorted,
                minAt < 0 ? null : new Point(steps[minAt], timestamps[minAt], values[minAt]),
                maxAt < 0 ? null : new Point(steps[maxAt], timestamps[maxAt], values[maxAt]));
    }
}
