package dev.labbook.server.domain.metric;

import dev.labbook.server.store.MetricRepository;
import dev.labbook.server.store.TrackingStore;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges small chunks (from slow loggers: a point per batch) into larger ones. Only chunks
 * adjacent in arrival order are merged, and a merged chunk takes the sequence number of its
 * first part, so arrival order, and with it the order of equal steps, is kept. Each series is
 * merged in one transaction holding the series lock: ingest of that series waits, readers see
 * either the old chunks or the new one, and no point is ever lost or duplicated.
 */
public final class MetricCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(MetricCompactor.class);
    private static final int MIN_CHUNKS_TO_MERGE = 4;
    private static final int SERIES_PER_PASS = 100;

    private final TrackingStore store;

    public MetricCompactor(TrackingStore store) {
        this.store = store;
    }

    /** One pass over series with small chunks; returns how many chunks were merged away. */
    public int compactOnce() {
        List<Long> candidates = store.inTransaction(tx -> tx.metrics()
                .seriesWithSmallChunks(MetricLimits.SMALL_CHUNK_POINTS, MIN_CHUNKS_TO_MERGE, SERIES_PER_PASS));
        int removed = 0;
        for (long seriesId : candidates) {
            removed += store.inTransaction(tx -> compactSeries(tx.metrics(), seriesId));
        }
        if (removed > 0) {
            LOG.debug("compaction merged away {} chunks in {} series", removed, candidates.size());
        }
        return removed;
    }

    /** Runs {@link #compactOnce} and logs instead of throwing, for a scheduled executor. */
    public void compactQuietly() {
        try {
            compactOnce();
        } catch (RuntimeException e) {
            LOG.warn("metric compaction failed; will retry", e);
        }
    }

    private static int compactSeries(MetricRepository metrics, long seriesId) {
        if (metrics.lockSeriesById(seriesId).isEmpty()) {
            return 0; // purged meanwhile
        }
        List<StoredChunk> chunks = metrics.chunks(seriesId, Long.MIN_VALUE, Long.MAX_VALUE, ChunkContent.SUMMARY);
        int removed = 0;
        List<StoredChunk> group = new ArrayList<>();
        int groupPoints = 0;
        for (StoredChunk chunk : chunks) {
            int count = chunk.summary().count();
            boolean small = count < MetricLimits.SMALL_CHUNK_POINTS;
            if (!small || groupPoints + count > MetricLimits.MAX_POINTS_PER_CHUNK) {
                removed += merge(metrics, seriesId, group);
                group.clear();
                groupPoints = 0;
            }
            if (small) {
                group.add(chunk);
                groupPoints += count;
            }
        }
        removed += merge(metrics, seriesId, group);
        return removed;
    }

    /** Replaces consecutive chunks by one at the first one's sequence number. */
    private static int merge(MetricRepository metrics, long seriesId, List<StoredChunk> group) {
        if (group.size() < 2) {
            return 0;
        }
        List<Integer> seqs = group.stream().map(StoredChunk::seq).toList();
        List<StoredChunk> withData = metrics.chunksBySeq(seriesId, seqs);
        int total = withData.stream().mapToInt(c -> c.summary().count()).sum();
        long[] steps = new long[total];
        long[] timestamps = new long[total];
        double[] values = new double[total];
        int offset = 0;
        for (StoredChunk chunk : withData) {
            DecodedChunk points = MetricChunkCodec.decode(chunk.data());
            System.arraycopy(points.steps(), 0, steps, offset, points.size());
            System.arraycopy(points.timestampsMs(), 0, timestamps, offset, points.size());
            System.arraycopy(points.values(), 0, values, offset, points.size());
            offset += points.size();
        }
        metrics.deleteChunks(seriesId, seqs);
        metrics.insertChunks(List.of(NewChunk.encode(seriesId, seqs.get(0), steps, timestamps, values, 0, total)));
        return group.size() - 1;
    }
}
