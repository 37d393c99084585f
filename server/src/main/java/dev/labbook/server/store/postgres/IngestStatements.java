package dev.labbook.server.store.postgres;

import dev.labbook.server.domain.metric.ChunkSummary;
import dev.labbook.server.domain.metric.NewChunk;
import dev.labbook.server.domain.metric.Point;
import dev.labbook.server.domain.metric.RunWriteState;
import dev.labbook.server.domain.metric.SeriesState;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The four statements of every metric batch (lock the run, upsert-and-lock its series, insert
 * the chunks, update the series) as fixed SQL on the transaction's JDBC connection, not built
 * with jOOQ's DSL. A small batch (an MLflow log-batch: 1,000 points) spent about half of its
 * ingest CPU rendering and binding these through jOOQ (JFR); here the text is a constant (or one
 * per row count), so pgjdbc also keeps each one prepared on the server after its fifth use.
 * Every other statement goes through jOOQ; these are checked against the schema by the metric
 * ITs like any other.
 */
final class IngestStatements {
    private static final String LOCK_RUN = "SELECT r.deleted_at IS NOT NULL, e.deleted_at IS NOT NULL FROM run r "
            + "JOIN experiment e ON e.id = r.experiment_id WHERE r.id = ? FOR KEY SHARE OF r";

    // Each key's row is inserted, or (the no-op update) locked and returned as it is, in the
    // order of the keys array (sorted by the caller): concurrent writers of one run lock their
    // series in the same order and cannot deadlock.
    private static final String LOCK_SERIES = "INSERT INTO metric_series AS s (run_id, metric_key, point_count, "
            + "last_step, last_timestamp_ms, last_value, next_chunk_seq) "
            + "SELECT ?, k.key, 0, 0, 0, 0, 0 FROM unnest(?::varchar[]) WITH ORDINALITY AS k (key, n) ORDER BY k.n "
            + "ON CONFLICT (run_id, metric_key) DO UPDATE SET next_chunk_seq = s.next_chunk_seq "
            + "RETURNING s.id, s.metric_key, s.point_count, s.last_step, s.last_timestamp_ms, s.last_value, "
            + "s.min_value, s.max_value, s.next_chunk_seq";

    private static final String INSERT_CHUNKS = "INSERT INTO metric_chunk (series_id, chunk_seq, point_count, "
            + "min_step, max_step, sorted, min_point_step, min_point_ts, min_value, max_point_step, max_point_ts, "
            + "max_value, data, envelope) VALUES ";
    private static final String CHUNK_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String UPDATE_SERIES = "UPDATE metric_series AS s SET point_count = v.point_count, "
            + "last_step = v.last_step, last_timestamp_ms = v.last_timestamp_ms, last_value = v.last_value, "
            + "min_value = v.min_value, max_value = v.max_value, next_chunk_seq = v.next_chunk_seq FROM (VALUES ";
    private static final String SERIES_ROW = "(?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::float8, ?::float8, "
            + "?::float8, ?::integer)";
    private static final String UPDATE_SERIES_END = ") AS v (id, point_count, last_step, last_timestamp_ms, "
            + "last_value, min_value, max_value, next_chunk_seq) WHERE s.id = v.id";

    /** The statement texts by row count, for the usual batch shapes (a few dozen keys). */
    private static final int CACHED_ROWS = 64;
    private static final String[] INSERT_CHUNKS_BY_ROWS = new String[CACHED_ROWS + 1];
    private static final String[] UPDATE_SERIES_BY_ROWS = new String[CACHED_ROWS + 1];

    private final DSLContext dsl;

    IngestStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    Optional<RunWriteState> lockRunForWrite(UUID runId) {
        return dsl.connectionResult(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(LOCK_RUN)) {
                statement.setObject(1, runId);
                try (ResultSet row = statement.executeQuery()) {
                    return row.next() ? Optional.of(new RunWriteState(row.getBoolean(1), row.getBoolean(2)))
                            : Optional.empty();
                }
            }
        });
    }

    /** The series of these keys, created when new, each locked; sorted by key. */
    List<SeriesState> lockSeries(UUID runId, SortedSet<String> keys) {
        return dsl.connectionResult(connection -> {
            List<SeriesState> series = new ArrayList<>(keys.size());
            Array keyArray = connection.createArrayOf("varchar", keys.toArray());
            try (PreparedStatement statement = connection.prepareStatement(LOCK_SERIES)) {
                statement.setObject(1, runId);
                statement.setArray(2, keyArray);
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        series.add(new SeriesState(row.getLong(1), row.getString(2), row.getLong(3), row.getLong(4),
                                row.getLong(5), row.getDouble(6), nullableDouble(row, 7), nullableDouble(row, 8),
                                row.getInt(9)));
                    }
                }
            } finally {
                keyArray.free();
            }
            // RETURNING's order is not promised: key order (byte order; keys are ASCII, Limits.key).
            series.sort(Comparator.comparing(SeriesState::key));
            return series;
        });
    }

    void insertChunks(List<NewChunk> chunks) {
        dsl.connection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    text(INSERT_CHUNKS_BY_ROWS, chunks.size(), INSERT_CHUNKS, CHUNK_ROW, ""))) {
                int i = 1;
                for (NewChunk chunk : chunks) {
                    ChunkSummary summary = chunk.summary();
                    statement.setLong(i++, chunk.seriesId());
                    statement.setInt(i++, chunk.seq());
                    statement.setInt(i++, summary.count());
                    statement.setLong(i++, summary.minStep());
                    statement.setLong(i++, summary.maxStep());
                    statement.setBoolean(i++, summary.sorted());
                    i = setPoint(statement, i, summary.minPoint());
                    i = setPoint(statement, i, summary.maxPoint());
                    statement.setBytes(i++, chunk.data());
                    statement.setBytes(i++, chunk.envelope());
                }
                statement.executeUpdate();
            }
        });
    }

    /** One UPDATE ... FROM (VALUES ...) for all the series: one statement, one round trip. */
    void updateSeries(List<SeriesState> series) {
        dsl.connection(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    text(UPDATE_SERIES_BY_ROWS, series.size(), UPDATE_SERIES, SERIES_ROW, UPDATE_SERIES_END))) {
                int i = 1;
                for (SeriesState s : series) {
                    statement.setLong(i++, s.id());
                    statement.setLong(i++, s.count());
                    statement.setLong(i++, s.lastStep());
                    statement.setLong(i++, s.lastTimestampMs());
                    statement.setDouble(i++, s.lastValue());
                    setDouble(statement, i++, s.min());
                    setDouble(statement, i++, s.max());
                    statement.setInt(i++, s.nextChunkSeq());
                }
                statement.executeUpdate();
            }
        });
    }

    private static int setPoint(PreparedStatement statement, int i, Point point) throws SQLException {
        if (point == null) {
            statement.setNull(i, Types.BIGINT);
            statement.setNull(i + 1, Types.BIGINT);
            statement.setNull(i + 2, Types.DOUBLE);
        } else {
            statement.setLong(i, point.step());
            statement.setLong(i + 1, point.timestampMs());
            statement.setDouble(i + 2, point.value());
        }
        return i + 3;
    }

    private static void setDouble(PreparedStatement statement, int i, Double value) throws SQLException {
        if (value == null) {
            statement.setNull(i, Types.DOUBLE);
        } else {
            statement.setDouble(i, value);
        }
    }

    private static Double nullableDouble(ResultSet row, int column) throws SQLException {
        double value = row.getDouble(column);
        return row.wasNull() ? null : value;
    }

    /** {@code head + row, row, ... + tail} for {@code rows} rows, kept for the usual counts. */
    private static String text(String[] cache, int rows, String head, String row, String tail) {
        String text = rows <= CACHED_ROWS ? cache[rows] : null;
        if (text == null) {
            StringBuilder sql = new StringBuilder(head.length() + rows * (row.length() + 2) + tail.length()).append(head);
            for (int i = 0; i < rows; i++) {
                sql.append(i == 0 ? "" : ", ").append(row);
            }
            text = sql.append(tail).toString();
            if (rows <= CACHED_ROWS) {
                cache[rows] = text; // a benign race: every thread computes the same string
            }
        }
        return text;
    }
}
