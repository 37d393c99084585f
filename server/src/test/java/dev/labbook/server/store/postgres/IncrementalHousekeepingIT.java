package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.artifacts.ArtifactKeyLayout;
import dev.labbook.server.artifacts.LocalArtifactStore;
import dev.labbook.server.domain.artifact.ArtifactGarbageCollector;
import dev.labbook.server.domain.metric.ChunkContent;
import dev.labbook.server.domain.metric.ChunkSummary;
import dev.labbook.server.domain.metric.MetricChunkCodec;
import dev.labbook.server.domain.metric.MetricCompactor;
import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.domain.metric.Point;
import dev.labbook.server.domain.metric.SeriesState;
import dev.labbook.server.domain.metric.StoredChunk;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.testing.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction and artifact GC passes cost the same however large the database is: on tables of
 * realistic size (400,000 chunk rows, 100,000 upload records), the plans of every statement one
 * pass runs read no table sequentially and touch only rows of the work at hand; and bounded
 * passes still finish all the work over several passes.
 */
class IncrementalHousekeepingIT {
    private static final int BIG_SERIES = 1_600;
    private static final int BIG_CHUNKS_PER_SERIES = 250;

    @Test
    void aCompactionPassReadsOnlySmallChunksNotTheChunkTable() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("housekeeping_compaction_plans");
        try (PostgresDatabase db = PostgresDatabase.open(endpoint, 2); Connection sql = connect(endpoint)) {
            db.migrate();
            UUID run = insertRun(sql);
            // 400,000 full chunks of 1,600 fast series (dummy payloads: compaction reads their
            // summaries only), then 30 slow series of ten 1-point chunks each.
            try (Statement s = sql.createStatement()) {
                s.execute("INSERT INTO metric_series (run_id, metric_key, point_count, last_step, last_timestamp_ms,"
                        + " last_value, next_chunk_seq) SELECT '" + run + "', 'fast/' || i, 1250000, 0, 0, 0, "
                        + BIG_CHUNKS_PER_SERIES + " FROM generate_series(1, " + BIG_SERIES + ") i");
                s.execute("INSERT INTO metric_chunk (series_id, chunk_seq, point_count, min_step, max_step, sorted, data)"
                        + " SELECT id, c, 5000, c * 5000, c * 5000 + 4999, true, '\\x00'::bytea"
                        + " FROM metric_series, generate_series(0, " + (BIG_CHUNKS_PER_SERIES - 1) + ") c");
            }
            List<Long> slow = slowSeries(db.trackingStore(), run, "slow/", 30, 10);
            analyze(sql);

            QueryPlans plans = new QueryPlans(endpoint);
            MetricCompactor compactor = new MetricCompactor(plans.store(), db.exclusiveTasks());
            assertThat(compactor.compactOnce()).isEqualTo(30 * 9);

            assertThat(plans.plans()).isNotEmpty();
            QueryPlans.Touched chunks = plans.touched(sql, "metric_chunk");
            System.out.printf("compaction pass: %d statements, %d metric_chunk rows read of %d%n",
                    plans.plans().size(), chunks.rows(), BIG_SERIES * BIG_CHUNKS_PER_SERIES + 300);
            assertThat(chunks.seqScans()).as("sequential scans of metric_chunk").isZero();
            // 300 small chunks found, read and merged; the table holds 400,300.
            assertThat(chunks.rows()).as("metric_chunk rows read by the pass").isLessThan(2_000);
            assertThat(plans.touched(sql, "metric_series").seqScans()).isZero();
            for (long series : slow) {
                assertThat(chunkCount(sql, series)).isEqualTo(1);
            }
        }
    }

    @Test
    void boundedCompactionPassesStillMergeEverySeries() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("housekeeping_compaction_passes");
        try (PostgresDatabase db = PostgresDatabase.open(endpoint, 2); Connection sql = connect(endpoint)) {
            db.migrate();
            UUID run = insertRun(sql);
            TrackingStore store = db.trackingStore();
            List<Long> series = slowSeries(store, run, "slow/", 12, 10);
            // At most 2 series (18 merges) and 25 small chunks looked at per pass.
            MetricCompactor compactor = new MetricCompactor(store, db.exclusiveTasks(), 2, 25);
            int passes = 0;
            int removed = 0;
            while (removed < 12 * 9 && passes < 40) {
                int pass = compactor.compactOnce();
                assertThat(pass).isLessThanOrEqualTo(18);
                removed += pass;
                passes++;
            }
            assertThat(removed).isEqualTo(12 * 9);
            assertThat(passes).isGreaterThanOrEqualTo(6);
            assertThat(compactor.compactOnce()).isZero();
            for (int i = 0; i < series.size(); i++) {
                long id = series.get(i);
                List<StoredChunk> chunks = store.inTransaction(
                        tx -> tx.metrics().chunks(id, Long.MIN_VALUE, Long.MAX_VALUE, ChunkContent.SUMMARY));
                assertThat(chunks).hasSize(1);
                byte[] data = store.inTransaction(tx -> tx.metrics().chunksBySeq(id, List.of(chunks.get(0).seq())))
                        .get(0).data();
                var points = MetricChunkCodec.decode(data);
                assertThat(points.steps()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
                assertThat(points.values()[9]).isEqualTo(i * 100 + 9);
            }
        }
    }

    @Test
    void aGarbageCollectionPassFindsUploadsThroughIndexes(@TempDir Path objectsDir) throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("housekeeping_gc_plans");
        try (PostgresDatabase db = PostgresDatabase.open(endpoint, 2); Connection sql = connect(endpoint);
                LocalArtifactStore objects = new LocalArtifactStore(objectsDir)) {
            db.migrate();
            UUID live = insertRun(sql);
            // 2,000 runs with 50 finished uploads (kept a day) and 50 artifacts each.
            try (Statement s = sql.createStatement()) {
                s.execute("INSERT INTO run (id, experiment_id, name, name_key, status, start_time, create_time,"
                        + " updated_at) SELECT gen_random_uuid(), experiment_id, 'r' || i, 'r' || i, 'COMPLETED',"
                        + " now(), now(), now() FROM run, generate_series(1, 2000) i");
                s.execute("INSERT INTO artifact_upload (id, run_id, path, direction, media_type, object_key,"
                        + " store_handle, part_size, received_bytes, digest_state, completed, created_at, updated_at)"
                        + " SELECT gen_random_uuid(), id, 'f' || i, 'output', 'text/plain', 'runs/' || id || '/' || i,"
                        + " 'h' || i, 5242880, 10, '\\x00'::bytea, true, now(), now()"
                        + " FROM run, generate_series(1, 50) i");
                s.execute("INSERT INTO artifact (run_id, path, kind, direction, media_type, size_bytes, sha256, uri,"
                        + " object_key, created_at) SELECT id, 'f' || i, 'file', 'output', 'text/plain', 10, '', '',"
                        + " 'runs/' || id || '/' || i || '/f' || i, now() FROM run, generate_series(1, 50) i");
            }
            String kept = put(objects, ArtifactKeyLayout.newObjectKey(live, "model.bin"));
            put(objects, ArtifactKeyLayout.newObjectKey(live, "replaced.bin")); // no artifact points at it
            put(objects, ArtifactKeyLayout.newObjectKey(UUID.randomUUID(), "old.bin")); // of a purged run
            try (PreparedStatement s = sql.prepareStatement("INSERT INTO artifact (run_id, path, kind, direction,"
                    + " media_type, size_bytes, sha256, uri, object_key, created_at)"
                    + " VALUES (?, 'model.bin', 'file', 'output', 'x', 1, '', '', ?, now())")) {
                s.setObject(1, live);
                s.setString(2, kept);
                s.execute();
            }
            analyze(sql);

            QueryPlans plans = new QueryPlans(endpoint);
            new ArtifactGarbageCollector(plans.store(), objects, db.exclusiveTasks(), Clock.systemUTC()).collect();

            assertThat(objects.list(ArtifactKeyLayout.ALL_RUNS)).containsExactly(kept);
            QueryPlans.Touched uploads = plans.touched(sql, "artifact_upload");
            System.out.printf("gc pass: %d statements, %d artifact_upload rows read of 100,000, %d artifact rows%n",
                    plans.plans().size(), uploads.rows(), plans.touched(sql, "artifact").rows());
            assertThat(uploads.seqScans()).as("sequential scans of artifact_upload").isZero();
            assertThat(uploads.rows()).as("artifact_upload rows read (100,000 stored)").isLessThan(200);
            assertThat(plans.touched(sql, "artifact").seqScans()).isZero();
            assertThat(plans.touched(sql, "run").seqScans()).isZero();
        }
    }

    @Test
    void boundedGarbageCollectionPassesStillDeleteEveryPurgedRun(@TempDir Path objectsDir) throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("housekeeping_gc_passes");
        try (PostgresDatabase db = PostgresDatabase.open(endpoint, 2); Connection sql = connect(endpoint);
                LocalArtifactStore objects = new LocalArtifactStore(objectsDir)) {
            db.migrate();
            UUID live = insertRun(sql);
            String kept = put(objects, ArtifactKeyLayout.newObjectKey(live, "model.bin"));
            try (PreparedStatement s = sql.prepareStatement("INSERT INTO artifact (run_id, path, kind, direction,"
                    + " media_type, size_bytes, sha256, uri, object_key, created_at)"
                    + " VALUES (?, 'model.bin', 'file', 'output', 'x', 1, '', '', ?, now())")) {
                s.setObject(1, live);
                s.setString(2, kept);
                s.execute();
            }
            for (int run = 0; run < 6; run++) {
                UUID purged = UUID.randomUUID();
                put(objects, ArtifactKeyLayout.newObjectKey(purged, "a.bin"));
                put(objects, ArtifactKeyLayout.newObjectKey(purged, "b.bin"));
            }
            // Three keys a pass: 13 keys take several passes.
            var gc = new ArtifactGarbageCollector(db.trackingStore(), objects, db.exclusiveTasks(), Clock.systemUTC(), 3);
            gc.collect();
            int afterFirst = objects.list(ArtifactKeyLayout.ALL_RUNS).size();
            assertThat(afterFirst).as("a pass deletes the runs of one page only").isBetween(7, 11);
            for (int pass = 0; pass < 10 && objects.list(ArtifactKeyLayout.ALL_RUNS).size() > 1; pass++) {
                gc.collect();
            }
            assertThat(objects.list(ArtifactKeyLayout.ALL_RUNS)).containsExactly(kept);
        }
    }

    @Test
    void objectsOfPurgedRunsGoRightAwayWhereverTheWalkIs(@TempDir Path objectsDir) throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("housekeeping_gc_purge");
        try (PostgresDatabase db = PostgresDatabase.open(endpoint, 2); Connection sql = connect(endpoint);
                LocalArtifactStore objects = new LocalArtifactStore(objectsDir)) {
            db.migrate();
            UUID live = insertRun(sql);
            UUID purged = insertRun(sql);
            String kept = put(objects, ArtifactKeyLayout.newObjectKey(live, "model.bin"));
            put(objects, ArtifactKeyLayout.newObjectKey(purged, "a.bin"));
            put(objects, ArtifactKeyLayout.newObjectKey(purged, "b/c.bin"));
            try (Statement s = sql.createStatement()) {
                s.execute("DELETE FROM run WHERE id = '" + purged + "'");
            }
            // A page of one key: the walk alone would take three passes to get there.
            var gc = new ArtifactGarbageCollector(db.trackingStore(), objects, db.exclusiveTasks(), Clock.systemUTC(), 1);
            // The live run is named too (as a restored run could be): its objects stay.
            assertThat(gc.deletePurged(List.of(purged, live))).isEqualTo(1);
            assertThat(objects.list(ArtifactKeyLayout.ALL_RUNS)).containsExactly(kept);
        }
    }

    static Connection connect(DatabaseEndpoint endpoint) throws SQLException {
        return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
    }

    /** An experiment with one run; returns the run's id. */
    static UUID insertRun(Connection sql) throws SQLException {
        UUID experiment = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        try (PreparedStatement e = sql.prepareStatement("INSERT INTO experiment (id, project, name, name_key,"
                + " created_at, updated_at) VALUES (?, 'p', ?, ?, now(), now())");
                PreparedStatement r = sql.prepareStatement("INSERT INTO run (id, experiment_id, name, name_key,"
                        + " status, start_time, create_time, updated_at)"
                        + " VALUES (?, ?, 'run', 'run', 'RUNNING', now(), now(), now())")) {
            e.setObject(1, experiment);
            e.setString(2, experiment.toString());
            e.setString(3, experiment.toString());
            e.execute();
            r.setObject(1, run);
            r.setObject(2, experiment);
            r.execute();
        }
        return run;
    }

    /**
     * {@code count} series of {@code chunks} one-point chunks each (a slow logger's), with
     * steps 0.. and values series * 100 + step; returns their ids in key order.
     */
    static List<Long> slowSeries(TrackingStore store, UUID run, String prefix, int count, int chunks) {
        TreeSet<String> keys = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            keys.add(prefix + String.format("%03d", i));
        }
        return store.inTransaction(tx -> {
            List<SeriesState> series = tx.metrics().lockSeries(run, keys);
            List<NewChunk> all = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                for (int step = 0; step < chunks; step++) {
                    all.add(onePoint(series.get(i).id(), step, step, i * 100 + step));
                }
            }
            tx.metrics().insertChunks(all);
            return series.stream().map(SeriesState::id).toList();
        });
    }

    static NewChunk onePoint(long seriesId, int seq, long step, double value) {
        Point point = new Point(step, step * 1000, value);
        byte[] data = MetricChunkCodec.encode(new long[] {step}, new long[] {step * 1000}, new double[] {value}, 0, 1);
        return new NewChunk(seriesId, seq, new ChunkSummary(1, step, step, true, point, point), data, null);
    }

    private static String put(LocalArtifactStore objects, String key) {
        byte[] data = key.getBytes(StandardCharsets.UTF_8);
        String handle = objects.beginUpload(key);
        String tag = objects.uploadPart(key, handle, 1, 0, data, data.length);
        objects.completeUpload(key, handle, List.of(tag), data.length);
        return key;
    }

    private static long chunkCount(Connection sql, long series) throws SQLException {
        try (PreparedStatement s = sql.prepareStatement("SELECT count(*) FROM metric_chunk WHERE series_id = ?")) {
            s.setLong(1, series);
            try (var result = s.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static void analyze(Connection sql) throws SQLException {
        try (Statement s = sql.createStatement()) {
            s.execute("VACUUM ANALYZE");
        }
    }
}
