package dev.labbook.server.store.postgres;

import dev.labbook.server.store.TrackingStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.Delete;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Insert;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.Update;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A {@link TrackingStore} that records how PostgreSQL ran every statement issued through it:
 * right before each statement runs, in its transaction, the statement with its values inlined
 * is explained: {@code EXPLAIN (ANALYZE)} for queries (run twice, harmless), a plain
 * {@code EXPLAIN} for changes (not run twice). {@link #touched} then sums what the plans read
 * from a table, so a test can bound what one housekeeping pass costs.
 */
final class QueryPlans implements ExecuteListener {
    record Plan(String sql, String json) {
    }

    /** What the recorded plans did with one table. */
    record Touched(int seqScans, long rows) {
    }

    private final List<Plan> plans = new CopyOnWriteArrayList<>();
    private final DatabaseEndpoint endpoint;

    QueryPlans(DatabaseEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** A store on {@code endpoint} whose statements are recorded here. */
    TrackingStore store() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(endpoint.jdbcUrl());
        source.setUser(endpoint.user());
        var configuration = new DefaultConfiguration().set(SQLDialect.POSTGRES).set(source)
                .set(new Settings().withRenderSchema(false))
                .set(new DefaultExecuteListenerProvider(this));
        return new PostgresTrackingStore(DSL.using(configuration), () -> { });
    }

    List<Plan> plans() {
        return List.copyOf(plans);
    }

    void clear() {
        plans.clear();
    }

    @Override
    public void executeStart(ExecuteContext ctx) {
        Query query = ctx.query();
        boolean select = query instanceof Select;
        if (!(select || query instanceof Insert || query instanceof Update || query instanceof Delete)) {
            return;
        }
        String sql = ctx.dsl().renderInlined(query);
        try (Statement statement = ctx.connection().createStatement();
                ResultSet result = statement.executeQuery(
                        "EXPLAIN (" + (select ? "ANALYZE, " : "") + "FORMAT JSON) " + sql)) {
            result.next();
            plans.add(new Plan(sql, result.getString(1)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot explain " + sql, e);
        }
    }

    /**
     * Sequential scans of {@code table} in all recorded plans, and the rows their nodes on it
     * read: (actual rows + rows removed by a filter) x loops, for the analysed plans.
     */
    Touched touched(Connection connection, String table) throws SQLException {
        int seqScans = 0;
        long rows = 0;
        for (Plan plan : plans) {
            try (PreparedStatement statement = connection.prepareStatement("""
                    SELECT count(*) FILTER (WHERE n->>'Node Type' = 'Seq Scan'),
                           coalesce(sum((coalesce((n->>'Actual Rows')::numeric, 0)
                                   + coalesce((n->>'Rows Removed by Filter')::numeric, 0))
                                   * coalesce((n->>'Actual Loops')::numeric, 1)), 0)::bigint
                    FROM jsonb_path_query(?::jsonb, 'lax $.**') n
                    WHERE jsonb_typeof(n) = 'object' AND n->>'Relation Name' = ?""")) {
                statement.setString(1, plan.json());
                statement.setString(2, table);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    seqScans += result.getInt(1);
                    rows += result.getLong(2);
                }
            }
        }
        return new Touched(seqScans, rows);
    }
}
