package dev.labbook.server.domain.metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns stored chunks (in arrival order) into pages in step order, ties in arrival order.
 * When every chunk is sorted and each starts at or after the previous one's last step (what
 * a training loop produces), arrival order already is step order: chunks are decoded one at a
 * time while pages are sent, in constant memory. Otherwise all points are decoded and stably
 * sorted by step.
 */
final class HistoryReader {
    private HistoryReader() {
    }

    /** Pages of the points in [fromStep, toStep], in step order; decoded as they are consumed when possible. */
    static Iterator<DecodedChunk> read(List<StoredChunk> chunks, long fromStep, long toStep) {
        if (inStepOrder(chunks)) {
            return new ChunkPages(chunks, fromStep, toStep);
        }
        return split(sortAll(chunks, fromStep, toStep)).iterator();
    }

    /** Every point in [fromStep, toStep], in step order. */
    static DecodedChunk readAll(List<StoredChunk> chunks, long fromStep, long toStep) {
        return sortAll(chunks, fromStep, toStep);
    }

    /** Whether arrival order already is step order: sorted chunks, each starting at or after the previous ones. */
    private static boolean inStepOrder(List<StoredChunk> chunks) {
        long previousMax = Long.MIN_VALUE;
        for (StoredChunk chunk : chunks) {
            ChunkSummary s = chunk.summary();
            if (!s.sorted() || s.minStep() < previousMax) {
                return false;
            }
            previousMax = Math.max(previousMax, s.maxStep());
        }
        return true;
    }

    /** Points of a chunk within [fromStep, toStep]; the chunk itself when all are inside. */
    static DecodedChunk clip(DecodedChunk chunk, long fromStep, long toStep) {
        long[] steps = chunk.steps();
        int n = steps.length;
        int inside = 0;
        for (long step : steps) {
            if (step >= fromStep && step <= toStep) {
                inside++;
            }
        }
        if (inside == n) {
            return chunk;
        }
        long[] s = new long[inside];
        long[] t = new long[inside];
        double[] v = new double[inside];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (steps[i] >= fromStep && steps[i] <= toStep) {
                s[j] = steps[i];
                t[j] = chunk.timestampsMs()[i];
                v[j] = chunk.values()[i];
                j++;
            }
        }
        return new DecodedChunk(s, t, v);
    }

    private static DecodedChunk sortAll(List<StoredChunk> chunks, long fromStep, long toStep) {
        List<DecodedChunk> decoded = new ArrayList<>(chunks.size());
        int total = 0;
        for (StoredChunk chunk : chunks) {
            DecodedChunk points = clip(MetricChunkCodec.decode(chunk.data()), fromStep, toStep);
            decoded.add(points);
            total += points.size();
        }
        DecodedChunk all = concat(decoded, total);
        long[] steps = all.steps();
        long[] timestamps = all.timestampsMs();
        double[] values = all.values();
        if (isSorted(steps)) {
            return all;
        }
        // Stable: equal steps keep arrival order.
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(steps[a], steps[b]));
        long[] s = new long[total];
        long[] t = new long[total];
        double[] v = new double[total];
        for (int i = 0; i < total; i++) {
            s[i] = steps[order[i]];
            t[i] = timestamps[order[i]];
            v[i] = values[order[i]];
        }
        return new DecodedChunk(s, t, v);
    }

    /** The points of {@code parts} one after the other ({@code total} in all). */
    private static DecodedChunk concat(List<DecodedChunk> parts, int total) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        long[] steps = new long[total];
        long[] timestamps = new long[total];
        double[] values = new double[total];
        int offset = 0;
        for (DecodedChunk points : parts) {
            System.arraycopy(points.steps(), 0, steps, offset, points.size());
            System.arraycopy(points.timestampsMs(), 0, timestamps, offset, points.size());
            System.arraycopy(points.values(), 0, values, offset, points.size());
            offset += points.size();
        }
        return new DecodedChunk(steps, timestamps, values);
    }

    private static boolean isSorted(long[] steps) {
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] < steps[i - 1]) {
                return false;
            }
        }
        return true;
    }

    /** Cuts points into pages of at most {@link MetricLimits#HISTORY_PAGE_POINTS}. */
    static List<DecodedChunk> split(DecodedChunk all) {
        List<DecodedChunk> pages = new ArrayList<>();
        int page = MetricLimits.HISTORY_PAGE_POINTS;
        for (int from = 0; from < all.size(); from += page) {
            int to = Math.min(all.size(), from + page);
            pages.add(new DecodedChunk(Arrays.copyOfRange(all.steps(), from, to),
                    Arrays.copyOfRange(all.timestampsMs(), from, to), Arrays.copyOfRange(all.values(), from, to)));
        }
        return pages;
    }

    /** Decodes chunk after chunk as pages are consumed. */
    private static final class ChunkPages implements Iterator<DecodedChunk> {
        private final List<StoredChunk> chunks;
        private final long fromStep;
        private final long toStep;
        private int index;
        private DecodedChunk next;

        ChunkPages(List<StoredChunk> chunks, long fromStep, long toStep) {
            this.chunks = chunks;
            this.fromStep = fromStep;
            this.toStep = toStep;
        }

        /**
         * The next page: consecutive chunks' points joined up to {@link MetricLimits#HISTORY_PAGE_POINTS}
         * (a page never splits a chunk), so that a series stored in small chunks still travels in
         * few large messages: each message costs a hand-off between threads on both ends.
         */
        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            List<DecodedChunk> parts = new ArrayList<>();
            int size = 0;
            while (index < chunks.size()) {
                StoredChunk chunk = chunks.get(index);
                if (size > 0 && size + chunk.summary().count() > MetricLimits.HISTORY_PAGE_POINTS) {
                    break;
                }
                index++;
                DecodedChunk points = decodeWithin(chunk);
                if (points.size() > 0) {
                    parts.add(points);
                    size += points.size();
                }
            }
            next = parts.isEmpty() ? null : concat(parts, size);
            return next != null;
        }

        private DecodedChunk decodeWithin(StoredChunk chunk) {
            DecodedChunk points = MetricChunkCodec.decode(chunk.data());
            ChunkSummary s = chunk.summary();
            if (s.minStep() < fromStep || s.maxStep() > toStep) {
                points = clip(points, fromStep, toStep);
            }
            return points;
        }

        @Override
        public DecodedChunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            DecodedChunk result = next;
            next = null;
            return result;
        }
    }
}
