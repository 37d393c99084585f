package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.METRIC_SERIES;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.metric.MetricSummary;
import dev.labbook.server.domain.search.RunQuery;
import dev.labbook.server.domain.search.RunWithMetrics;
import dev.labbook.server.domain.search.SearchCursor;
import dev.labbook.server.domain.search.SearchHit;
import dev.labbook.server.store.RunSearchStore;
import dev.labbook.server.store.postgres.internal.generated.tables.records.RunRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;

/**
 * {@link RunSearchStore} on PostgreSQL. Each call is one READ ONLY transaction with a statement
 * timeout (and custom plans, see below): the filter is compiled to bind values and cannot write, and this is the second wall
 * should anything ever slip through; the timeout bounds what one hostile query can cost.
 */
public final class PostgresRunSearchStore implements RunSearchStore {
    private static final String STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = '30s'";

    private final DSLContext dsl;

    public PostgresRunSearchStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public List<SearchHit> search(RunQuery query, SearchCursor after, int limit) {
        return readOnly(tx -> {
            RunSearchQuery compiled = new RunSearchQuery(query);
            List<RunSearchQuery.SortColumn> sort = compiled.sortColumns();
            List<Field<?>> selected = new ArrayList<>(List.of(RUN.fields()));
            for (int i = 0; i < sort.size(); i++) {
                selected.add(sort.get(i).field().as("sort_" + i));
            }
            List<Record> rows = tx.select(selected)
                    .from(compiled.from())
                    .where(compiled.where(after))
                    .orderBy(compiled.orderBy())
                    .limit(limit)
                    .fetch();
            List<RunRecord> runRows = rows.stream().map(r -> r.into(RUN)).toList();
            List<RunWithMetrics> runs = details(tx, runRows);
            List<SearchHit> hits = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                List<Object> values = new ArrayList<>(sort.size());
                for (int k = 0; k < sort.size(); k++) {
                    values.add(RunSearchQuery.cursorValue(sort.get(k), rows.get(i).get("sort_" + k)));
                }
                hits.add(new SearchHit(runs.get(i), new SearchCursor(values, runRows.get(i).getId())));
            }
            return hits;
        });
    }

    @Override
    public List<RunWithMetrics> load(Collection<UUID> runIds) {
        return readOnly(tx -> details(tx, tx.selectFrom(RUN).where(RUN.ID.in(runIds)).fetch()));
    }

    /** The runs with params, tags and metric summaries, in the order of {@code rows}. */
    private static List<RunWithMetrics> details(DSLContext tx, List<RunRecord> rows) {
        List<Run> runs = new PostgresRunRepository(tx).withDetails(rows);
        Map<UUID, List<MetricSummary>> metrics = metricsOf(tx, runs.stream().map(Run::id).toList());
        return runs.stream().map(run -> new RunWithMetrics(run, metrics.getOrDefault(run.id(), List.of()))).toList();
    }

    private static Map<UUID, List<MetricSummary>> metricsOf(DSLContext tx, List<UUID> runIds) {
        Map<UUID, List<MetricSummary>> metrics = new HashMap<>();
        if (runIds.isEmpty()) {
            return metrics;
        }
        tx.select(METRIC_SERIES.RUN_ID, METRIC_SERIES.METRIC_KEY, METRIC_SERIES.LAST_VALUE, METRIC_SERIES.LAST_STEP,
                        METRIC_SERIES.LAST_TIMESTAMP_MS, METRIC_SERIES.MIN_VALUE, METRIC_SERIES.MAX_VALUE,
                        METRIC_SERIES.POINT_COUNT)
                .from(METRIC_SERIES)
                .where(METRIC_SERIES.RUN_ID.in(runIds))
                .orderBy(METRIC_SERIES.RUN_ID, METRIC_SERIES.METRIC_KEY.collate("C"))
                .forEach(r -> metrics.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new MetricSummary(
                        r.value2(), r.value3(), r.value4(), r.value5(),
                        r.value6() == null ? Double.NaN : r.value6(),
                        r.value7() == null ? Double.NaN : r.value7(), r.value8())));
        return metrics;
    }

    private <T> T readOnly(Function<DSLContext, T> work) {
        try {
            return dsl.transactionResult(configuration -> {
                DSLContext tx = configuration.dsl();
                tx.execute("SET TRANSACTION READ ONLY");
                tx.execute(STATEMENT_TIMEOUT);
                // Plan with the actual values: how selective `params.lr < 0.001` is decides
                // between a range scan from the key side and probes per run; a cached generic
                // plan guesses and was measured 2x slower on the search benchmark.
                tx.execute("SET LOCAL plan_cache_mode = force_custom_plan");
                return work.apply(tx);
            });
        } catch (DataAccessException e) {
            if ("57014".equals(e.sqlState())) {
                // query_canceled: the statement timeout above.
                throw new ResourceExhaustedException(ErrorReason.SEARCH_TIMEOUT, "the search ran longer than 30 s; narrow the filter or "
                        + "the experiments searched");
            }
            throw SqlSupport.translate(e);
        }
    }
}
