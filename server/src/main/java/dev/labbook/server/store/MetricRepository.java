package dev.labbook.server.store;

import dev.labbook.server.domain.metric.ChunkContent;
import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.domain.metric.RunSeries;
import dev.labbook.server.domain.metric.RunWriteState;
import dev.labbook.server.domain.metric.SeriesState;
import dev.labbook.server.domain.metric.SmallChunks;
import dev.labbook.server.domain.metric.StoredChunk;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;

/** Metric series and their compressed chunks, within the caller's transaction. */
public interface MetricRepository {
    /**
     * Reads whether the run can take data and holds a key-share lock on it until the
     * transaction ends, so a concurrent purge waits instead of breaking the insert.
     */
    Optional<RunWriteState> lockRunForWrite(UUID runId);

    /** Those of these runs that exist (deleted or not). */
    Set<UUID> existingRuns(Collection<UUID> runIds);

    /** Locks the series of these keys in key order, creating empty ones; returns them in key order. */
    List<SeriesState> lockSeries(UUID runId, SortedSet<String> keys);

    Optional<SeriesState> lockSeriesById(long seriesId);

    void insertChunks(List<NewChunk> chunks);

    /** Writes the summaries and next chunk sequences. */
    void updateSeries(List<SeriesState> series);

    Optional<SeriesState> findSeries(UUID runId, String key);

    /** The series holding points of every run in {@code runIds} and key in {@code keys}. */
    List<RunSeries> findSeries(Collection<UUID> runIds, Collection<String> keys);

    /**
     * Up to {@code limit} series of the run that hold points, keys starting with {@code keyPrefix}
     * and (when {@code afterKey} is not null) after it, in byte order of the keys.
     */
    List<SeriesState> listSeries(UUID runId, String keyPrefix, String afterKey, int limit);

    /** Chunks whose step range meets [minStep, maxStep], in arrival order, with the given content. */
    List<StoredChunk> chunks(long seriesId, long minStep, long maxStep, ChunkContent content);

    /** As {@link #chunks} for several series at once, by series id. */
    Map<Long, List<StoredChunk>> chunks(Collection<Long> seriesIds, long minStep, long maxStep,
            ChunkContent content);

    /** The chunks with these sequence numbers, with data, in arrival order. */
    List<StoredChunk> chunksBySeq(long seriesId, Collection<Integer> seqs);

    /** As {@link #chunksBySeq} for several series at once, by series id. */
    Map<Long, List<StoredChunk>> chunksBySeq(Map<Long, ? extends Collection<Integer>> seqsBySeries);

    void deleteChunks(long seriesId, Collection<Integer> seqs);

    /**
     * The first {@code maxChunks} chunks of fewer than {@code smallPoints} points in the series
     * after {@code afterSeriesId}, in series id order, counted per series. Reads only those
     * chunks (through the small-chunk index), so a pass costs the same however large the table
     * is; the caller walks the series with it as a cursor. The last series listed may have more
     * small chunks beyond {@code maxChunks}.
     */
    List<SmallChunks> smallChunksAfter(long afterSeriesId, int smallPoints, int maxChunks);
}
