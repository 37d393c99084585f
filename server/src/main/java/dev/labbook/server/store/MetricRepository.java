package dev.labbook.server.store;

import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.domain.metric.RunWriteState;
import dev.labbook.server.domain.metric.SeriesState;
import dev.labbook.server.domain.metric.StoredChunk;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.UUID;

/** Metric series, their compressed chunks and writer sequences, within the caller's transaction. */
public interface MetricRepository {
    /**
     * Reads whether the run can take data and holds a key-share lock on it until the
     * transaction ends, so a concurrent purge waits instead of breaking the insert.
     */
    Optional<RunWriteState> lockRunForWrite(UUID runId);

    /** Locks the writer's row (creating it at 0) and returns its last committed sequence. */
    long lockWriter(UUID runId, String writerId);

    void setWriterSequence(UUID runId, String writerId, long sequence, Instant time);

    /** Last committed sequence, 0 when the writer never committed. */
    long writerSequence(UUID runId, String writerId);

    /** Locks the series of these keys in key order, creating empty ones; returns them in key order. */
    List<SeriesState> lockSeries(UUID runId, SortedSet<String> keys);

    Optional<SeriesState> lockSeriesById(long seriesId);

    void insertChunks(List<NewChunk> chunks);

    /** Writes the summaries and next chunk sequences. */
    void updateSeries(List<SeriesState> series);

    Optional<SeriesState> findSeries(UUID runId, String key);

    /** Every series of the run, sorted by key. */
    List<SeriesState> listSeries(UUID runId);

    /** Chunks whose step range meets [minStep, maxStep], in arrival order; data only when asked. */
    List<StoredChunk> chunks(long seriesId, long minStep, long maxStep, boolean withData);

    /** The chunks with these sequence numbers, with data, in arrival order. */
    List<StoredChunk> chunksBySeq(long seriesId, Collection<Integer> seqs);

    void deleteChunks(long seriesId, Collection<Integer> seqs);

    /** Series holding at least {@code minChunks} chunks of fewer than {@code smallPoints} points. */
    List<Long> seriesWithSmallChunks(int smallPoints, int minChunks, int limit);
}
