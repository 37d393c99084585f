package dev.labbook.server.domain.metric;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Min/max downsampling: the step range is cut into {@code maxPoints / 2} equal-width buckets
 * and each bucket keeps its smallest and its largest point (in step order), so spikes and dips
 * stay visible at any zoom. A bucket whose values are all NaN keeps one NaN point.
 *
 * <p>Most chunks are summarised without being decoded. A chunk that lies inside one bucket (and
 * inside the requested range) contributes its stored extreme points. A sorted chunk whose
 * {@link ChunkEnvelope} blocks are at most a quarter of a bucket wide contributes each block's
 * extreme points to the buckets they fall in: exact for the blocks inside a bucket, and for a
 * block that straddles a bucket edge its two extremes stand for it (a bucket may then show, near
 * its edge, a neighbour's extreme point from within one block instead of its own). Every extreme
 * point of the range is kept either way. Other chunks are decoded. Planning and finishing are
 * separate steps so that many series can fetch the chunks to decode in one query.
 */
final class Downsampler {
    /** A chunk's blocks are used when a bucket is at least this many blocks wide. */
    private static final int BLOCKS_PER_BUCKET = 4;

    private final long fromStep;
    private final long toStep;
    private final int maxPoints;
    private final Buckets buckets;
    private final List<Integer> toDecode = new ArrayList<>();

    /** Plans a downsampled read of {@code metas} (chunks meeting the range, with envelopes when stored). */
    Downsampler(List<StoredChunk> metas, long fromStep, long toStep, int maxPoints) {
        this.fromStep = fromStep;
        this.toStep = toStep;
        this.maxPoints = maxPoints;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (StoredChunk c : metas) {
            lo = Math.min(lo, Math.max(fromStep, c.summary().minStep()));
            hi = Math.max(hi, Math.min(toStep, c.summary().maxStep()));
        }
        buckets = new Buckets(lo, hi, Math.max(1, maxPoints / 2));
        for (StoredChunk c : metas) {
            ChunkSummary s = c.summary();
            boolean insideRange = s.minStep() >= fromStep && s.maxStep() <= toStep;
            boolean oneBucket = buckets.index(s.minStep()) == buckets.index(s.maxStep());
            if (insideRange && oneBucket && s.minPoint() != null) {
                int b = buckets.index(s.minStep());
                buckets.offer(b, s.minPoint().step(), s.minPoint().timestampMs(), s.minPoint().value());
                buckets.offer(b, s.maxPoint().step(), s.maxPoint().timestampMs(), s.maxPoint().value());
            } else if (insideRange && c.envelope() != null && blocksAreNarrow(s)) {
                DecodedChunk extremes = ChunkEnvelope.decode(c.envelope());
                offerAll(extremes);
            } else {
                toDecode.add(c.seq());
            }
        }
    }

    /** Whether the chunk's blocks are narrow enough against the buckets for their extremes to stand for them. */
    private boolean blocksAreNarrow(ChunkSummary s) {
        double blocks = Math.ceil((double) s.count() / ChunkEnvelope.BLOCK_POINTS);
        double blockWidth = ((double) s.maxStep() - (double) s.minStep() + 1.0) / blocks;
        return blockWidth * BLOCKS_PER_BUCKET <= buckets.width();
    }

    /** Sequence numbers of the chunks whose points {@link #finish} needs. */
    List<Integer> chunksToDecode() {
        return toDecode;
    }

    /** The downsampled points, given (at least) the chunks of {@link #chunksToDecode} with data. */
    DecodedChunk finish(Collection<StoredChunk> withData) {
        java.util.Set<Integer> wanted = new java.util.HashSet<>(toDecode);
        for (StoredChunk c : withData) {
            if (wanted.contains(c.seq())) {
                offerAll(HistoryReader.clip(MetricChunkCodec.decode(c.data()), fromStep, toStep));
            }
        }
        DecodedChunk points = buckets.points();
        if (maxPoints == 1 && points.size() > 1) {
            points = largest(points); // one bucket holds a min and a max; one point was asked for
        }
        return points;
    }

    private void offerAll(DecodedChunk points) {
        for (int i = 0; i < points.size(); i++) {
            long step = points.steps()[i];
            buckets.offer(buckets.index(step), step, points.timestampsMs()[i], points.values()[i]);
        }
    }

    /** The point with the largest value (NaN only if all are NaN). */
    private static DecodedChunk largest(DecodedChunk points) {
        int best = 0;
        for (int i = 1; i < points.size(); i++) {
            if (Double.isNaN(points.values()[best])
                    || (!Double.isNaN(points.values()[i]) && points.values()[i] > points.values()[best])) {
                best = i;
            }
        }
        return new DecodedChunk(new long[] {points.steps()[best]}, new long[] {points.timestampsMs()[best]},
                new double[] {points.values()[best]});
    }

    /** Per bucket: the min point, the max point, and a NaN point for all-NaN buckets. */
    private static final class Buckets {
        private final double lo;
        private final double span;
        private final int count;
        private final long[] minStep;
        private final long[] minTs;
        private final double[] minValue;
        private final long[] maxStep;
        private final long[] maxTs;
        private final double[] maxValue;
        private final boolean[] hasValue;
        private final boolean[] hasNan;
        private final long[] nanStep;
        private final long[] nanTs;

        Buckets(long lo, long hi, int count) {
            // Doubles: the span of two longs may not fit in a long, and rounding keeps order.
            this.lo = lo;
            this.span = (double) hi - (double) lo + 1.0;
            this.count = count;
            minStep = new long[count];
            minTs = new long[count];
            minValue = new double[count];
            maxStep = new long[count];
            maxTs = new long[count];
            maxValue = new double[count];
            hasValue = new boolean[count];
            hasNan = new boolean[count];
            nanStep = new long[count];
            nanTs = new long[count];
        }

        /** Steps per bucket. */
        double width() {
            return span / count;
        }

        int index(long step) {
            int b = (int) Math.floor(((double) step - lo) / span * count);
            return Math.max(0, Math.min(count - 1, b));
        }

        void offer(int b, long step, long ts, double value) {
            if (Double.isNaN(value)) {
                if (!hasNan[b]) {
                    hasNan[b] = true;
                    nanStep[b] = step;
                    nanTs[b] = ts;
                }
                return;
            }
            if (!hasValue[b]) {
                hasValue[b] = true;
                minStep[b] = maxStep[b] = step;
                minTs[b] = maxTs[b] = ts;
                minValue[b] = maxValue[b] = value;
                return;
            }
            if (value < minValue[b] || (value == minValue[b] && step < minStep[b])) {
                minStep[b] = step;
                minTs[b] = ts;
                minValue[b] = value;
            }
            if (value > maxValue[b] || (value == maxValue[b] && step < maxStep[b])) {
                maxStep[b] = step;
                maxTs[b] = ts;
                maxValue[b] = value;
            }
        }

        DecodedChunk points() {
            long[] steps = new long[2 * count];
            long[] ts = new long[2 * count];
            double[] values = new double[2 * count];
            int n = 0;
            for (int b = 0; b < count; b++) {
                if (hasValue[b]) {
                    boolean minFirst = minStep[b] <= maxStep[b];
                    n = put(steps, ts, values, n, minFirst ? minStep[b] : maxStep[b],
                            minFirst ? minTs[b] : maxTs[b], minFirst ? minValue[b] : maxValue[b]);
                    boolean same = minStep[b] == maxStep[b] && minValue[b] == maxValue[b];
                    if (!same) {
                        n = put(steps, ts, values, n, minFirst ? maxStep[b] : minStep[b],
                                minFirst ? maxTs[b] : minTs[b], minFirst ? maxValue[b] : minValue[b]);
                    }
                } else if (hasNan[b]) {
                    n = put(steps, ts, values, n, nanStep[b], nanTs[b], Double.NaN);
                }
            }
            return new DecodedChunk(java.util.Arrays.copyOf(steps, n), java.util.Arrays.copyOf(ts, n),
                    java.util.Arrays.copyOf(values, n));
        }

        private static int put(long[] steps, long[] ts, double[] values, int n, long step, long t, double v) {
            steps[n] = step;
            ts[n] = t;
            values[n] = v;
            return n + 1;
        }
    }
}
