package dev.labbook.server.domain.metric;

/** Keeps a series summary current as points arrive. */
final class SeriesSummaries {
    private SeriesSummaries() {
    }

    /**
     * The summary after appending points (which arrive after every stored point). The last point
     * is the one with the highest step; on equal steps the later arrival wins. Min and max
     * ignore NaN.
     */
    static SeriesState append(SeriesState state, long[] steps, long[] timestamps, double[] values, int size,
            int nextChunkSeq) {
        boolean empty = state.count() == 0;
        long lastStep = state.lastStep();
        long lastTs = state.lastTimestampMs();
        double lastValue = state.lastValue();
        Double min = state.min();
        Double max = state.max();
        for (int i = 0; i < size; i++) {
            if (empty || steps[i] >= lastStep) {
                lastStep = steps[i];
                lastTs = timestamps[i];
                lastValue = values[i];
                empty = false;
            }
            double v = values[i];
            if (!Double.isNaN(v)) {
                if (min == null || v < min || (v == 0.0 && min == 0.0 && Double.compare(v, min) < 0)) {
                    min = v;
                }
                if (max == null || v > max || (v == 0.0 && max == 0.0 && Double.compare(v, max) > 0)) {
                    max = v;
                }
            }
        }
        return new SeriesState(state.id(), state.key(), state.count() + size, lastStep, lastTs, lastValue, min, max,
                nextChunkSeq);
    }
}
