package dev.labbook.server.domain.metric;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.UsageRecorder;
import dev.labbook.server.store.MetricRepository;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Metric series: exactly-once ingest of columnar batches into compressed chunks with summaries
 * kept current in the same transaction, and reads in step order, whole or downsampled.
 */
public final class MetricService {
    private static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final TrackingStore store;
    private final Clock clock;
    private final UsageRecorder usage;

    public MetricService(TrackingStore store, Clock clock) {
        this(store, clock, UsageRecorder.NONE);
    }

    public MetricService(TrackingStore store, Clock clock, UsageRecorder usage) {
        this.store = store;
        this.clock = clock;
        this.usage = usage;
    }

    /**
     * Stores one batch, or skips it when its writer already committed this sequence. The batch,
     * the series summaries and the writer's new last sequence commit in one transaction.
     */
    public IngestResult ingest(MetricBatchInput batch) {
        validate(batch);
        TreeMap<String, KeyedPoints> byKey = group(batch);
        List<EncodedChunk> encoded = encode(byKey);
        IngestResult result = store.inTransaction(tx -> {
            MetricRepository metrics = tx.metrics();
            requireWritable(tx, batch.runId());
            long last = metrics.lockWriter(batch.runId(), batch.writerId());
            if (batch.sequence() <= last) {
                return new IngestResult(true, batch.pointCount());
            }
            List<SeriesState> series = metrics.lockSeries(batch.runId(), byKey.navigableKeySet());
            List<NewChunk> chunks = new ArrayList<>(encoded.size());
            List<SeriesState> updated = new ArrayList<>(series.size());
            int next = 0;
            for (SeriesState state : series) {
                KeyedPoints points = byKey.get(state.key());
                int seq = state.nextChunkSeq();
                while (next < encoded.size() && encoded.get(next).key().equals(state.key())) {
                    EncodedChunk chunk = encoded.get(next++);
                    chunks.add(new NewChunk(state.id(), seq++, chunk.summary(), chunk.data()));
                }
                updated.add(SeriesSummaries.append(state, points.steps, points.timestamps, points.values,
                        points.size, seq));
            }
            metrics.insertChunks(chunks);
            metrics.updateSeries(updated);
            metrics.setWriterSequence(batch.runId(), batch.writerId(), batch.sequence(), clock.instant());
            return new IngestResult(false, batch.pointCount());
        });
        if (!result.duplicate()) {
            usage.metricBatchCommitted(result.points());
        }
        return result;
    }

    /** The last sequence a writer committed to a run; 0 when none. */
    public long writerSequence(UUID runId, String writerId) {
        validWriterId("writer_id", writerId);
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.metrics().writerSequence(runId, writerId);
        });
    }

    /** Every series of a run with its summary, sorted by key. */
    public List<MetricSummary> list(UUID runId) {
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.metrics().listSeries(runId).stream().map(MetricSummary::of).toList();
        });
    }

    /**
     * Reads a series in step order, limited to [fromStep, toStep]. With {@code maxPoints} > 0
     * and more points than that, returns a min/max-per-bucket downsampled view instead.
     */
    public SeriesRead history(UUID runId, String key, long fromStep, long toStep, int maxPoints) {
        Limits.key("key", key);
        if (fromStep > toStep) {
            throw new InvalidArgumentException("start_step", "is after end_step");
        }
        if (maxPoints < 0 || maxPoints > MetricLimits.MAX_DOWNSAMPLED_POINTS) {
            throw new InvalidArgumentException("max_points",
                    "must be between 0 (every point) and " + MetricLimits.MAX_DOWNSAMPLED_POINTS);
        }
        return store.inSnapshot(tx -> {
            RunGuards.requireRun(tx, runId);
            MetricRepository metrics = tx.metrics();
            SeriesState series = metrics.findSeries(runId, key).filter(s -> s.count() > 0)
                    .orElseThrow(() -> new NotFoundException(ErrorReason.METRIC_NOT_FOUND, "metric '" + key + "' not found in run " + runId));
            if (maxPoints > 0) {
                List<StoredChunk> metas = metrics.chunks(series.id(), fromStep, toStep, false);
                if (pointsInRange(metas, seqs -> metrics.chunksBySeq(series.id(), seqs), fromStep, toStep,
                        maxPoints) > maxPoints) {
                    return Downsampler.downsample(metas, seqs -> metrics.chunksBySeq(series.id(), seqs), fromStep,
                            toStep, maxPoints);
                }
            }
            return HistoryReader.read(metrics.chunks(series.id(), fromStep, toStep, true), fromStep, toStep);
        });
    }

    /**
     * Points within [fromStep, toStep], counted exactly but only as far as needed to compare
     * with {@code limit}: chunks inside the range count from metadata, straddling ones are decoded.
     */
    private static long pointsInRange(List<StoredChunk> metas,
            java.util.function.Function<java.util.Collection<Integer>, List<StoredChunk>> fetch, long fromStep,
            long toStep, int limit) {
        long inside = 0;
        List<Integer> straddling = new ArrayList<>();
        for (StoredChunk c : metas) {
            if (c.summary().minStep() >= fromStep && c.summary().maxStep() <= toStep) {
                inside += c.summary().count();
            } else {
                straddling.add(c.seq());
            }
        }
        if (inside > limit || straddling.isEmpty()) {
            return inside;
        }
        for (StoredChunk c : fetch.apply(straddling)) {
            inside += HistoryReader.clip(MetricChunkCodec.decode(c.data()), fromStep, toStep).size();
        }
        return inside;
    }

    private static void requireWritable(TrackingTransaction tx, UUID runId) {
        RunWriteState state = tx.metrics().lockRunForWrite(runId).orElseThrow(() -> RunGuards.notFound(runId));
        if (state.runDeleted()) {
            throw RunGuards.deletedRun(runId);
        }
        if (state.experimentDeleted()) {
            throw RunGuards.deletedExperimentOf(runId);
        }
    }

    private static void validate(MetricBatchInput batch) {
        validWriterId("batch.writer_id", batch.writerId());
        if (batch.sequence() < 1) {
            throw new InvalidArgumentException("batch.sequence", "must be 1 or more, got " + batch.sequence());
        }
        int n = batch.keyIndex().length;
        if (batch.steps().length != n || batch.timestampsMs().length != n || batch.values().length != n) {
            throw new InvalidArgumentException("batch", String.format(
                    "key_index, step, timestamp_ms and value must have equal lengths, got %d, %d, %d and %d",
                    n, batch.steps().length, batch.timestampsMs().length, batch.values().length));
        }
        if (n > MetricLimits.MAX_POINTS_PER_BATCH) {
            throw new InvalidArgumentException("batch", "has " + n + " points; at most "
                    + MetricLimits.MAX_POINTS_PER_BATCH + " per batch");
        }
        List<String> keys = batch.keys();
        if (keys.size() > MetricLimits.MAX_KEYS_PER_BATCH) {
            throw new InvalidArgumentException("batch.keys", "has " + keys.size() + " keys; at most "
                    + MetricLimits.MAX_KEYS_PER_BATCH + " per batch");
        }
        for (int i = 0; i < keys.size(); i++) {
            Limits.key("batch.keys[" + i + "]", keys.get(i));
        }
        if (keys.stream().distinct().count() != keys.size()) {
            throw new InvalidArgumentException("batch.keys", "lists a key more than once");
        }
        int[] keyIndex = batch.keyIndex();
        for (int i = 0; i < n; i++) {
            if (keyIndex[i] < 0 || keyIndex[i] >= keys.size()) {
                throw new InvalidArgumentException("batch.key_index[" + i + "]",
                        "is " + Integer.toUnsignedString(keyIndex[i]) + " but batch.keys has " + keys.size()
                                + " entries");
            }
        }
    }

    private static void validWriterId(String field, String writerId) {
        if (writerId == null || !WRITER_ID.matcher(writerId).matches()) {
            throw new InvalidArgumentException(field, "must be 1-" + MetricLimits.MAX_WRITER_ID_LENGTH
                    + " characters of letters, digits, '.', '_', ':' or '-'");
        }
    }

    /** Splits a batch by key, keeping each key's points in arrival order; keys sorted. */
    private static TreeMap<String, KeyedPoints> group(MetricBatchInput batch) {
        List<String> keys = batch.keys();
        KeyedPoints[] byIndex = new KeyedPoints[keys.size()];
        int expected = Math.max(16, batch.pointCount() / Math.max(1, keys.size()));
        TreeMap<String, KeyedPoints> byKey = new TreeMap<>();
        int[] keyIndex = batch.keyIndex();
        for (int i = 0; i < keyIndex.length; i++) {
            KeyedPoints points = byIndex[keyIndex[i]];
            if (points == null) {
                points = new KeyedPoints(expected);
                byIndex[keyIndex[i]] = points;
                byKey.put(keys.get(keyIndex[i]), points);
            }
            points.add(batch.steps()[i], batch.timestampsMs()[i], batch.values()[i]);
        }
        return byKey;
    }

    private record EncodedChunk(String key, ChunkSummary summary, byte[] data) {
    }

    /** Encodes each key's points into chunks of at most MAX_POINTS_PER_CHUNK, in key order. */
    private static List<EncodedChunk> encode(Map<String, KeyedPoints> byKey) {
        List<EncodedChunk> chunks = new ArrayList<>();
        for (var entry : byKey.entrySet()) {
            KeyedPoints p = entry.getValue();
            for (int from = 0; from < p.size; from += MetricLimits.MAX_POINTS_PER_CHUNK) {
                int to = Math.min(p.size, from + MetricLimits.MAX_POINTS_PER_CHUNK);
                chunks.add(new EncodedChunk(entry.getKey(), ChunkSummary.of(p.steps, p.timestamps, p.values, from, to),
                        MetricChunkCodec.encode(p.steps, p.timestamps, p.values, from, to)));
            }
        }
        return chunks;
    }
}
