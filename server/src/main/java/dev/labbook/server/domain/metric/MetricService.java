package dev.labbook.server.domain.metric;

import dev.labbook.server.domain.AppendSequence;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.UsageRecorder;
import dev.labbook.server.store.MetricRepository;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Metric series: exactly-once ingest of columnar batches into compressed chunks with summaries
 * kept current in the same transaction, and reads in step order, whole, paged by cursor, or
 * downsampled (one series or many at once).
 */
public final class MetricService {
    static final int DEFAULT_LIST_PAGE = 1_000;
    static final int MAX_LIST_PAGE = 10_000;
    static final int MAX_BATCH_RUNS = 100;
    static final int MAX_BATCH_KEYS = 100;
    static final int MAX_BATCH_SERIES = 1_000;
    static final int DEFAULT_BATCH_POINTS = 1_000;
    static final int MAX_BATCH_POINTS = 10_000;

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
        AppendSequence sequence = validate(batch);
        TreeMap<String, KeyedPoints> byKey = group(batch);
        List<EncodedChunk> encoded = encode(byKey);
        IngestResult result = store.inTransaction(tx -> {
            MetricRepository metrics = tx.metrics();
            requireWritable(tx, batch.runId());
            if (!sequence.claim(tx.writers(), batch.runId(), clock.instant())) {
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
                    chunks.add(new NewChunk(state.id(), seq++, chunk.summary(), chunk.data(), chunk.envelope()));
                }
                updated.add(SeriesSummaries.append(state, points.steps, points.timestamps, points.values,
                        points.size, seq));
            }
            metrics.insertChunks(chunks);
            metrics.updateSeries(updated);
            return new IngestResult(false, batch.pointCount());
        });
        if (!result.duplicate()) {
            usage.metricBatchCommitted(result.points());
        }
        return result;
    }

    /** The last sequence a writer committed to a run, whatever it appended; 0 when none. */
    public long writerSequence(UUID runId, String writerId) {
        AppendSequence.validWriterId("writer_id", writerId);
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.writers().lastSequence(runId, writerId);
        });
    }

    /**
     * A page of the run's series with their summaries, sorted by key (byte order), only keys
     * starting with {@code keyPrefix} when it is not empty. Page size 0 means 1,000; at most 10,000.
     */
    public Page<MetricSummary> list(UUID runId, String keyPrefix, int pageSize, String pageToken) {
        if (pageSize < 0 || pageSize > MAX_LIST_PAGE) {
            throw new InvalidArgumentException("page_size", "must be between 0 (default " + DEFAULT_LIST_PAGE
                    + ") and " + MAX_LIST_PAGE);
        }
        int size = pageSize == 0 ? DEFAULT_LIST_PAGE : pageSize;
        String prefix = keyPrefix == null ? "" : keyPrefix;
        if (!prefix.isEmpty()) {
            Limits.key("key_prefix", prefix);
        }
        String fingerprint = "metrics|" + runId + "|" + prefix;
        String after = Tokens.decodeName("page_token", pageToken, fingerprint);
        List<SeriesState> rows = store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.metrics().listSeries(runId, prefix, after, size + 1);
        });
        List<MetricSummary> page = rows.stream().limit(size).map(MetricSummary::of).toList();
        String next = rows.size() > size ? Tokens.encodeName(page.get(size - 1).key(), fingerprint) : "";
        return new Page<>(page, next);
    }

    /**
     * Reads a series in step order (ties in arrival order), limited to [startStep, endStep] when
     * given. With {@code maxPoints} > 0 and more points than that, returns the min/max-per-bucket
     * downsampled view instead. Without, every point: after the cursor {@code pageToken} when
     * given, and at most {@code pageSize} points when it is not 0; each page carries the cursor
     * after its last point.
     */
    public SeriesRead history(UUID runId, String key, Long startStep, Long endStep, int maxPoints, int pageSize,
            String pageToken) {
        Limits.key("key", key);
        long fromStep = startStep == null ? Long.MIN_VALUE : startStep;
        long toStep = endStep == null ? Long.MAX_VALUE : endStep;
        if (fromStep > toStep) {
            throw new InvalidArgumentException("start_step", "is after end_step");
        }
        if (maxPoints < 0 || maxPoints > MetricLimits.MAX_DOWNSAMPLED_POINTS) {
            throw new InvalidArgumentException("max_points",
                    "must be between 0 (every point) and " + MetricLimits.MAX_DOWNSAMPLED_POINTS);
        }
        if (pageSize < 0) {
            throw new InvalidArgumentException("page_size", "must not be negative (0 means no limit)");
        }
        String fingerprint = "history|" + runId + "|" + key + "|" + (startStep == null ? "" : startStep) + "|"
                + (endStep == null ? "" : endStep);
        HistoryCursor cursor = Tokens.decodeHistory("page_token", pageToken, fingerprint);
        if (maxPoints > 0 && cursor != null) {
            throw new InvalidArgumentException(ErrorReason.INVALID_PAGE_TOKEN, "page_token",
                    "cannot be combined with max_points: downsampled reads are not paged");
        }
        if (maxPoints > 0 && pageSize > 0) {
            throw new InvalidArgumentException("page_size",
                    "cannot be combined with max_points: downsampled reads are not paged");
        }
        long resumeFrom = cursor == null ? fromStep : Math.max(fromStep, cursor.step());
        return store.inSnapshot(tx -> {
            RunGuards.requireRun(tx, runId);
            MetricRepository metrics = tx.metrics();
            SeriesState series = metrics.findSeries(runId, key).filter(s -> s.count() > 0)
                    .orElseThrow(() -> metricNotFound(runId, key));
            if (maxPoints > 0) {
                SeriesSampler sampler = new SeriesSampler(
                        metrics.chunks(series.id(), fromStep, toStep, ChunkContent.ENVELOPE), fromStep, toStep,
                        maxPoints);
                SeriesSampler.Sample sample = sampler.finish(metrics.chunksBySeq(series.id(), sampler.chunksToFetch()));
                return new SeriesRead(sample.downsampled(), HistoryReader.split(sample.points()).stream()
                        .map(points -> new HistoryPage(points, "")).iterator());
            }
            Iterator<DecodedChunk> pages = HistoryReader.read(
                    metrics.chunks(series.id(), resumeFrom, toStep, ChunkContent.DATA), resumeFrom, toStep);
            return new SeriesRead(false, new HistoryPager(pages, cursor, pageSize, fingerprint));
        });
    }

    /**
     * Reads every key of {@code keys} in every run of {@code runIds} (runs, then keys, in the order
     * given; a key a run lacks is left out), each sampled as {@link #history} with max_points
     * does, all in one snapshot. {@code maxPoints} 0 means 1,000.
     */
    public List<MetricSeries> batchHistory(List<UUID> runIds, List<String> keys, int maxPoints, Long startStep,
            Long endStep) {
        validateBatch(runIds, keys, maxPoints);
        int points = maxPoints == 0 ? DEFAULT_BATCH_POINTS : maxPoints;
        long fromStep = startStep == null ? Long.MIN_VALUE : startStep;
        long toStep = endStep == null ? Long.MAX_VALUE : endStep;
        if (fromStep > toStep) {
            throw new InvalidArgumentException("start_step", "is after end_step");
        }
        return store.inSnapshot(tx -> {
            MetricRepository metrics = tx.metrics();
            Set<UUID> existing = metrics.existingRuns(runIds);
            for (UUID runId : runIds) {
                if (!existing.contains(runId)) {
                    throw RunGuards.notFound(runId);
                }
            }
            Map<UUID, Map<String, SeriesState>> byRun = new HashMap<>();
            List<Long> ids = new ArrayList<>();
            for (RunSeries found : metrics.findSeries(runIds, keys)) {
                byRun.computeIfAbsent(found.runId(), id -> new HashMap<>()).put(found.series().key(), found.series());
                ids.add(found.series().id());
            }
            Map<Long, List<StoredChunk>> metas = metrics.chunks(ids, fromStep, toStep, ChunkContent.ENVELOPE);
            Map<Long, SeriesSampler> samplers = new HashMap<>();
            Map<Long, Collection<Integer>> toFetch = new HashMap<>();
            for (long id : ids) {
                SeriesSampler sampler = new SeriesSampler(metas.getOrDefault(id, List.of()), fromStep, toStep, points);
                samplers.put(id, sampler);
                toFetch.put(id, sampler.chunksToFetch());
            }
            Map<Long, List<StoredChunk>> fetched = metrics.chunksBySeq(toFetch);
            List<MetricSeries> result = new ArrayList<>();
            for (UUID runId : runIds) {
                Map<String, SeriesState> ofRun = byRun.getOrDefault(runId, Map.of());
                for (String key : keys) {
                    SeriesState series = ofRun.get(key);
                    if (series != null) {
                        SeriesSampler.Sample sample = samplers.get(series.id())
                                .finish(fetched.getOrDefault(series.id(), List.of()));
                        result.add(new MetricSeries(runId, key, sample.points(), sample.downsampled()));
                    }
                }
            }
            return result;
        });
    }

    private static void validateBatch(List<UUID> runIds, List<String> keys, int maxPoints) {
        if (runIds.isEmpty() || runIds.size() > MAX_BATCH_RUNS) {
            throw new InvalidArgumentException("run_ids", "must list 1 to " + MAX_BATCH_RUNS + " runs, got "
                    + runIds.size());
        }
        if (new HashSet<>(runIds).size() != runIds.size()) {
            throw new InvalidArgumentException("run_ids", "lists a run more than once");
        }
        if (keys.isEmpty() || keys.size() > MAX_BATCH_KEYS) {
            throw new InvalidArgumentException("keys", "must list 1 to " + MAX_BATCH_KEYS + " keys, got "
                    + keys.size());
        }
        for (int i = 0; i < keys.size(); i++) {
            Limits.key("keys[" + i + "]", keys.get(i));
        }
        if (new HashSet<>(keys).size() != keys.size()) {
            throw new InvalidArgumentException("keys", "lists a key more than once");
        }
        if ((long) runIds.size() * keys.size() > MAX_BATCH_SERIES) {
            throw new InvalidArgumentException("keys", runIds.size() + " runs x " + keys.size() + " keys is more than "
                    + MAX_BATCH_SERIES + " series in one call");
        }
        if (maxPoints < 0 || maxPoints > MAX_BATCH_POINTS) {
            throw new InvalidArgumentException("max_points", "must be between 0 (default " + DEFAULT_BATCH_POINTS
                    + ") and " + MAX_BATCH_POINTS);
        }
    }

    private static NotFoundException metricNotFound(UUID runId, String key) {
        NotFoundException error = new NotFoundException(ErrorReason.METRIC_NOT_FOUND,
                "metric '" + key + "' not found in run " + runId);
        error.about("metric", runId + "/" + key);
        return error;
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

    private static AppendSequence validate(MetricBatchInput batch) {
        AppendSequence sequence = AppendSequence.of("batch.writer_id", batch.writerId(), "batch.sequence",
                batch.sequence());
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
        return sequence;
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

    private record EncodedChunk(String key, ChunkSummary summary, byte[] data, byte[] envelope) {
    }

    /** Encodes each key's points into chunks of at most MAX_POINTS_PER_CHUNK, in key order. */
    private static List<EncodedChunk> encode(Map<String, KeyedPoints> byKey) {
        List<EncodedChunk> chunks = new ArrayList<>();
        for (var entry : byKey.entrySet()) {
            KeyedPoints p = entry.getValue();
            for (int from = 0; from < p.size; from += MetricLimits.MAX_POINTS_PER_CHUNK) {
                int to = Math.min(p.size, from + MetricLimits.MAX_POINTS_PER_CHUNK);
                NewChunk chunk = NewChunk.encode(0, 0, p.steps, p.timestamps, p.values, from, to);
                chunks.add(new EncodedChunk(entry.getKey(), chunk.summary(), chunk.data(), chunk.envelope()));
            }
        }
        return chunks;
    }
}
