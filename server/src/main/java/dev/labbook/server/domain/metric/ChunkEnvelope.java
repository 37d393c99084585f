package dev.labbook.server.domain.metric;

/**
 * The envelope of a chunk whose steps never decrease: for each block of {@value #BLOCK_POINTS}
 * consecutive points, its smallest and its largest point (NaN ignored; a block of only NaN keeps
 * its first point), stored as a small chunk of its own ({@link MetricChunkCodec}): the blocks'
 * minima, then their maxima. Downsampling reads these instead of the chunk's points when the buckets
 * are much wider than a block (see {@link Downsampler}); it costs about 4% of the chunk's size.
 */
final class ChunkEnvelope {
    static final int BLOCK_POINTS = 128;

    private ChunkEnvelope() {
    }

    /** The encoded envelope of points [from, to), or null when not worth it (short or unsorted). */
    static byte[] of(ChunkSummary summary, long[] steps, long[] timestamps, double[] values, int from, int to) {
        if (!summary.sorted() || to - from <= 2 * BLOCK_POINTS) {
            return null;
        }
        int blocks = (to - from + BLOCK_POINTS - 1) / BLOCK_POINTS;
        long[] s = new long[2 * blocks];
        long[] t = new long[2 * blocks];
        double[] v = new double[2 * blocks];
        for (int b = 0; b < blocks; b++) {
            int start = from + b * BLOCK_POINTS;
            int end = Math.min(to, start + BLOCK_POINTS);
            int minAt = start;
            int maxAt = start;
            for (int i = start; i < end; i++) {
                double value = values[i];
                if (Double.isNaN(value)) {
                    continue;
                }
                if (Double.isNaN(values[minAt]) || value < values[minAt]) {
                    minAt = i;
                }
                if (Double.isNaN(values[maxAt]) || value > values[maxAt]) {
                    maxAt = i;
                }
            }
            // Minima first, then maxima: neighbours are alike, which the codec stores compactly.
            s[b] = steps[minAt];
            t[b] = timestamps[minAt];
            v[b] = values[minAt];
            s[blocks + b] = steps[maxAt];
            t[blocks + b] = timestamps[maxAt];
            v[blocks + b] = values[maxAt];
        }
        return MetricChunkCodec.encode(s, t, v, 0, 2 * blocks);
    }

    /** The extreme points: each block's smallest in block order, then each block's largest. */
    static DecodedChunk decode(byte[] envelope) {
        return MetricChunkCodec.decode(envelope);
    }
}
