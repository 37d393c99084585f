package dev.labbook.server.domain.metric;

import dev.labbook.server.store.ExclusiveTasks;
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
 *
 * <p>A pass costs the same however many chunks the database holds: it reads a bounded slice of
 * the small-chunk index from a cursor over series ids, never the whole chunk table, and only one
 * server on a database compacts at a time ({@link ExclusiveTasks}).
 */
public final class MetricCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(MetricCompactor.class);
    private static final int MIN_CHUNKS_TO_MERGE = 4;
    /** Series merged per pass, at most. */
    static final int SERIES_PER_PASS = 100;
    /** Small chunks a pass looks at, at most: its cost, whatever the size of the table. */
    static final int CHUNKS_PER_PASS = 10_000;

    private final TrackingStore store;
    private final ExclusiveTasks tasks;
    private final int seriesPerPass;
    private final int chunksPerPass;
    /**
     * Where the next pass goes on: passes walk the series in id order, a slice each, and start
     * over after the last. {@link #compactQuietly} loads it from and stores it in the database
     * with the compaction lock held, so replicas taking turns continue one walk.
     */
    private long afterSeries;

    public MetricCompactor(TrackingStore store, ExclusiveTasks tasks) {
        this(store, tasks, SERIES_PER_PASS, CHUNKS_PER_PASS);
    }

    /** With smaller passes than the defaults (tests walk many passes over a few series). */
    public MetricCompactor(TrackingStore store, ExclusiveTasks tasks, int seriesPerPass, int chunksPerPass) {
        this.store = store;
        this.tasks = tasks;
        this.seriesPerPass = seriesPerPass;
        this.chunksPerPass = chunksPerPass;
    }

    /**
     * One pass over the next slice of series with small chunks; returns how many chunks were
     * merged away. A full walk over all series takes (small chunks / CHUNKS_PER_PASS) passes.
     */
    public int compactOnce() {
        List<SmallChunks> slice = store.inTransaction(tx -> tx.metrics()
                .smallChunksAfter(afterSeries, MetricLimits.SMALL_CHUNK_POINTS, chunksPerPass));
        boolean sliceFull = slice.stream().mapToInt(SmallChunks::chunks).sum() >= chunksPerPass;
        if (sliceFull && slice.size() > 1) {
            // The last series may go on past the slice: the next pass reads it whole.
            slice = slice.subList(0, slice.size() - 1);
        }
        List<Long> candidates = new ArrayList<>();
        long last = afterSeries;
        boolean stoppedEarly = false;
        for (SmallChunks series : slice) {
            if (series.mergeablePairs() >= MIN_CHUNKS_TO_MERGE - 1) {
                if (candidates.size() == seriesPerPass) {
                    stoppedEarly = true;
                    break;
                }
                candidates.add(series.seriesId());
            }
            last = series.seriesId();
        }
        afterSeries = sliceFull || stoppedEarly ? last : 0;
        int removed = 0;
        for (long seriesId : candidates) {
            removed += store.inTransaction(tx -> compactSeries(tx.metrics(), seriesId));
        }
        if (removed > 0) {
            LOG.debug("compaction merged away {} chunks in {} series", removed, candidates.size());
        }
        return removed;
    }

    /**
     * Runs {@link #compactOnce} unless another server is compacting this database, and logs
     * instead of throwing, for a scheduled executor.
     */
    public void compactQuietly() {
        try {
            boolean ran = tasks.runExclusively(ExclusiveTasks.Task.METRIC_COMPACTION, position -> {
                afterSeries = seriesAt(position);
                compactOnce();
                return Long.toString(afterSeries);
            });
            if (!ran) {
                LOG.debug("compaction skipped: another server is compacting");
            }
        } catch (RuntimeException e) {
            LOG.warn("metric compaction failed; will retry", e);
        }
    }

    /** The series id a stored position names; from the start when there is none (or it is not one). */
    private static long seriesAt(String position) {
        try {
            return position == null ? 0 : Long.parseLong(position);
        } catch (NumberFormatException e) {
            return 0;
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
