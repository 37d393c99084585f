package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.METRIC_CHUNK;
import static dev.labbook.server.store.postgres.internal.generated.Tables.METRIC_SERIES;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;

import dev.labbook.server.domain.metric.ChunkContent;
import dev.labbook.server.domain.metric.ChunkSummary;
import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.domain.metric.Point;
import dev.labbook.server.domain.metric.RunSeries;
import dev.labbook.server.domain.metric.RunWriteState;
import dev.labbook.server.domain.metric.SeriesState;
import dev.labbook.server.domain.metric.SmallChunks;
import dev.labbook.server.domain.metric.StoredChunk;
import dev.labbook.server.store.MetricRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.MetricSeriesRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Row2;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.impl.DSL;

/** Metric series, chunks and writer sequences in PostgreSQL. */
final class PostgresMetricRepository implements MetricRepository {
    private static final List<SelectField<?>> CHUNK_META = List.of(METRIC_CHUNK.SERIES_ID, METRIC_CHUNK.CHUNK_SEQ,
            METRIC_CHUNK.POINT_COUNT,
            METRIC_CHUNK.MIN_STEP, METRIC_CHUNK.MAX_STEP, METRIC_CHUNK.SORTED, METRIC_CHUNK.MIN_POINT_STEP,
            METRIC_CHUNK.MIN_POINT_TS, METRIC_CHUNK.MIN_VALUE, METRIC_CHUNK.MAX_POINT_STEP, METRIC_CHUNK.MAX_POINT_TS,
            METRIC_CHUNK.MAX_VALUE);

    private final DSLContext dsl;
    private final IngestStatements ingest;

    PostgresMetricRepository(DSLContext dsl) {
        this.dsl = dsl;
        this.ingest = new IngestStatements(dsl);
    }

    /** For queries that return chunk payloads: see {@link BinaryResults}. */
    private DSLContext payloads(ChunkContent content) {
        return content == ChunkContent.SUMMARY ? dsl : BinaryResults.on(dsl);
    }

    @Override
    public Optional<RunWriteState> lockRunForWrite(UUID runId) {
        return ingest.lockRunForWrite(runId);
    }

    @Override
    public Set<UUID> existingRuns(Collection<UUID> runIds) {
        return new HashSet<>(dsl.select(RUN.ID).from(RUN).where(RUN.ID.in(runIds)).fetch(RUN.ID));
    }

    @Override
    public List<SeriesState> lockSeries(UUID runId, SortedSet<String> keys) {
        return keys.isEmpty() ? List.of() : ingest.lockSeries(runId, keys);
    }

    @Override
    public Optional<SeriesState> lockSeriesById(long seriesId) {
        return dsl.selectFrom(METRIC_SERIES).where(METRIC_SERIES.ID.eq(seriesId)).forUpdate()
                .fetchOptional(PostgresMetricRepository::toSeries);
    }

    @Override
    public void insertChunks(List<NewChunk> chunks) {
        if (!chunks.isEmpty()) {
            ingest.insertChunks(chunks);
        }
    }

    @Override
    public void updateSeries(List<SeriesState> series) {
        if (!series.isEmpty()) {
            ingest.updateSeries(series);
        }
    }

    @Override
    public Optional<SeriesState> findSeries(UUID runId, String key) {
        return dsl.selectFrom(METRIC_SERIES)
                .where(METRIC_SERIES.RUN_ID.eq(runId).and(METRIC_SERIES.METRIC_KEY.eq(key)))
                .fetchOptional(PostgresMetricRepository::toSeries);
    }

    @Override
    public List<RunSeries> findSeries(Collection<UUID> runIds, Collection<String> keys) {
        return dsl.selectFrom(METRIC_SERIES)
                .where(METRIC_SERIES.RUN_ID.in(runIds)
                        .and(METRIC_SERIES.METRIC_KEY.in(keys))
                        .and(METRIC_SERIES.POINT_COUNT.gt(0L)))
                .fetch(r -> new RunSeries(r.getRunId(), toSeries(r)));
    }

    @Override
    public List<SeriesState> listSeries(UUID runId, String keyPrefix, String afterKey, int limit) {
        // Byte order (COLLATE "C") served by metric_series_run_key_c_idx (V7). Keys are ASCII
        // (Limits.key), so the keys starting with a prefix are those in [prefix, prefix + DEL).
        Field<String> key = METRIC_SERIES.METRIC_KEY.collate("C");
        Condition where = METRIC_SERIES.RUN_ID.eq(runId).and(METRIC_SERIES.POINT_COUNT.gt(0L));
        if (!keyPrefix.isEmpty()) {
            where = where.and(key.ge(keyPrefix)).and(key.lt(keyPrefix + "\u007f"));
        }
        if (afterKey != null) {
            where = where.and(key.gt(afterKey));
        }
        return dsl.selectFrom(METRIC_SERIES)
                .where(where)
                .orderBy(key)
                .limit(limit)
                .fetch(PostgresMetricRepository::toSeries);
    }

    @Override
    public List<StoredChunk> chunks(long seriesId, long minStep, long maxStep, ChunkContent content) {
        return chunks(List.of(seriesId), minStep, maxStep, content).getOrDefault(seriesId, List.of());
    }

    @Override
    public Map<Long, List<StoredChunk>> chunks(Collection<Long> seriesIds, long minStep, long maxStep,
            ChunkContent content) {
        Map<Long, List<StoredChunk>> bySeries = new HashMap<>();
        if (seriesIds.isEmpty()) {
            return bySeries;
        }
        payloads(content).select(fields(content)).from(METRIC_CHUNK)
                .where(METRIC_CHUNK.SERIES_ID.in(seriesIds)
                        .and(METRIC_CHUNK.MIN_STEP.le(maxStep))
                        .and(METRIC_CHUNK.MAX_STEP.ge(minStep)))
                .orderBy(METRIC_CHUNK.SERIES_ID, METRIC_CHUNK.CHUNK_SEQ)
                .fetch()
                .forEach(r -> bySeries.computeIfAbsent(r.get(METRIC_CHUNK.SERIES_ID), id -> new ArrayList<>())
                        .add(toChunk(r, content)));
        return bySeries;
    }

    @Override
    public List<StoredChunk> chunksBySeq(long seriesId, Collection<Integer> seqs) {
        return chunksBySeq(Map.of(seriesId, seqs)).getOrDefault(seriesId, List.of());
    }

    @Override
    public Map<Long, List<StoredChunk>> chunksBySeq(Map<Long, ? extends Collection<Integer>> seqsBySeries) {
        Map<Long, List<StoredChunk>> bySeries = new HashMap<>();
        List<Row2<Long, Integer>> keys = new ArrayList<>();
        seqsBySeries.forEach((series, seqs) -> seqs.forEach(seq -> keys.add(DSL.row(series, seq))));
        if (keys.isEmpty()) {
            return bySeries;
        }
        payloads(ChunkContent.DATA).select(fields(ChunkContent.DATA)).from(METRIC_CHUNK)
                .where(DSL.row(METRIC_CHUNK.SERIES_ID, METRIC_CHUNK.CHUNK_SEQ).in(keys))
                .orderBy(METRIC_CHUNK.SERIES_ID, METRIC_CHUNK.CHUNK_SEQ)
                .fetch()
                .forEach(r -> bySeries.computeIfAbsent(r.get(METRIC_CHUNK.SERIES_ID), id -> new ArrayList<>())
                        .add(toChunk(r, ChunkContent.DATA)));
        return bySeries;
    }

    @Override
    public void deleteChunks(long seriesId, Collection<Integer> seqs) {
        if (seqs.isEmpty()) {
            return;
        }
        dsl.deleteFrom(METRIC_CHUNK)
                .where(METRIC_CHUNK.SERIES_ID.eq(seriesId).and(METRIC_CHUNK.CHUNK_SEQ.in(seqs)))
                .execute();
    }

    @Override
    public List<SmallChunks> smallChunksAfter(long afterSeriesId, int smallPoints, int maxChunks) {
        // The window: a range scan of metric_chunk_small_idx (V11) from the cursor. The size
        // bound is inlined, not bound: the planner must see that it implies the partial
        // index's predicate, which it cannot prove of a parameter in a generic plan.
        var small = METRIC_CHUNK.as("small");
        Table<?> window = dsl.select(small.SERIES_ID, small.CHUNK_SEQ).from(small)
                .where(small.POINT_COUNT.lt(DSL.inline(smallPoints)).and(small.SERIES_ID.gt(afterSeriesId)))
                .orderBy(small.SERIES_ID, small.CHUNK_SEQ)
                .limit(maxChunks)
                .asTable("w");
        Field<Long> windowSeries = window.field(small.SERIES_ID);
        Field<Integer> windowSeq = window.field(small.CHUNK_SEQ);
        Table<?> pairs = dsl.select(windowSeries, windowSeq,
                        DSL.lag(windowSeq).over(DSL.partitionBy(windowSeries).orderBy(windowSeq)).as("previous_seq"))
                .from(window)
                .asTable("p");
        Field<Long> seriesId = pairs.field(windowSeries);
        Field<Integer> seq = pairs.field(windowSeq);
        Field<Integer> previous = pairs.field("previous_seq", Integer.class);
        // Two small chunks are neighbours when no chunk lies between them: any chunk there is
        // a large one (the window holds every small one), found by a probe of the primary key.
        var between = METRIC_CHUNK.as("between");
        Condition neighbours = previous.isNotNull().and(DSL.notExists(DSL.selectOne().from(between)
                .where(between.SERIES_ID.eq(seriesId)
                        .and(between.CHUNK_SEQ.gt(previous))
                        .and(between.CHUNK_SEQ.lt(seq)))));
        return dsl.select(seriesId, DSL.count(), DSL.count().filterWhere(neighbours))
                .from(pairs)
                .groupBy(seriesId)
                .orderBy(seriesId)
                .fetch(r -> new SmallChunks(r.value1(), r.value2(), r.value3()));
    }

    private static SeriesState toSeries(MetricSeriesRecord r) {
        return new SeriesState(r.getId(), r.getMetricKey(), r.getPointCount(), r.getLastStep(),
                r.getLastTimestampMs(), r.getLastValue(), r.getMinValue(), r.getMaxValue(), r.getNextChunkSeq());
    }

    private static List<SelectField<?>> fields(ChunkContent content) {
        List<SelectField<?>> fields = new ArrayList<>(CHUNK_META);
        switch (content) {
            case SUMMARY -> { }
            case ENVELOPE -> fields.add(METRIC_CHUNK.ENVELOPE);
            case DATA -> fields.add(METRIC_CHUNK.DATA);
        }
        return fields;
    }

    private static StoredChunk toChunk(Record r, ChunkContent content) {
        Point min = r.get(METRIC_CHUNK.MIN_VALUE) == null ? null
                : new Point(r.get(METRIC_CHUNK.MIN_POINT_STEP), r.get(METRIC_CHUNK.MIN_POINT_TS),
                        r.get(METRIC_CHUNK.MIN_VALUE));
        Point max = r.get(METRIC_CHUNK.MAX_VALUE) == null ? null
                : new Point(r.get(METRIC_CHUNK.MAX_POINT_STEP), r.get(METRIC_CHUNK.MAX_POINT_TS),
                        r.get(METRIC_CHUNK.MAX_VALUE));
        ChunkSummary summary = new ChunkSummary(r.get(METRIC_CHUNK.POINT_COUNT), r.get(METRIC_CHUNK.MIN_STEP),
                r.get(METRIC_CHUNK.MAX_STEP), r.get(METRIC_CHUNK.SORTED), min, max);
        return new StoredChunk(r.get(METRIC_CHUNK.CHUNK_SEQ), summary,
                content == ChunkContent.DATA ? r.get(METRIC_CHUNK.DATA) : null,
                content == ChunkContent.ENVELOPE ? r.get(METRIC_CHUNK.ENVELOPE) : null);
    }
}
