package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_LOG_LINE;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_LOG_STATE;

import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.log.LogLevel;
import dev.labbook.server.domain.log.LogLine;
import dev.labbook.server.domain.log.LogStream;
import dev.labbook.server.domain.log.RunLogState;
import dev.labbook.server.store.LogRepository;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;

/** Run log lines and per-run log counters in PostgreSQL (tables run_log_line, run_log_state). */
final class PostgresLogRepository implements LogRepository {
    /** Rows per INSERT statement: 6 bind values each stays far below PostgreSQL's 65,535. */
    private static final int INSERT_ROWS = 1000;

    private final DSLContext dsl;

    PostgresLogRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public Optional<RunLogState> runState(UUID runId, boolean lockForAppend) {
        var query = dsl.select(RUN.STATUS, RUN.DELETED_AT, EXPERIMENT.DELETED_AT, RUN_LOG_STATE.NEXT_OFFSET)
                .from(RUN)
                .join(EXPERIMENT).on(EXPERIMENT.ID.eq(RUN.EXPERIMENT_ID))
                .leftJoin(RUN_LOG_STATE).on(RUN_LOG_STATE.RUN_ID.eq(RUN.ID))
                .where(RUN.ID.eq(runId));
        var locked = lockForAppend ? query.forKeyShare().of(RUN) : query;
        return locked.fetchOptional(r -> new RunLogState(RunStatus.valueOf(r.value1()), r.value2() != null,
                r.value3() != null, r.value4() == null ? 0 : r.value4()));
    }

    @Override
    public long reserveOffsets(UUID runId, int count) {
        // One statement reserves the range and locks the counter row until commit (see V5).
        long next = dsl.insertInto(RUN_LOG_STATE)
                .set(RUN_LOG_STATE.RUN_ID, runId)
                .set(RUN_LOG_STATE.NEXT_OFFSET, (long) count)
                .onConflict(RUN_LOG_STATE.RUN_ID)
                .doUpdate()
                .set(RUN_LOG_STATE.NEXT_OFFSET, RUN_LOG_STATE.NEXT_OFFSET.plus((long) count))
                .returning(RUN_LOG_STATE.NEXT_OFFSET)
                .fetchOne(RUN_LOG_STATE.NEXT_OFFSET);
        return next - count;
    }

    @Override
    public void insertLines(UUID runId, List<LogLine> lines) {
        // One notice per append, delivered to every replica's followers when the lines commit.
        ChangeNotices.logsAppended(dsl, runId);
        for (int from = 0; from < lines.size(); from += INSERT_ROWS) {
            var insert = dsl.insertInto(RUN_LOG_LINE, RUN_LOG_LINE.RUN_ID, RUN_LOG_LINE.LINE_OFFSET,
                    RUN_LOG_LINE.TIMESTAMP_MS, RUN_LOG_LINE.LOG_LEVEL, RUN_LOG_LINE.LOG_STREAM, RUN_LOG_LINE.TEXT);
            for (LogLine line : lines.subList(from, Math.min(lines.size(), from + INSERT_ROWS))) {
                insert = insert.values(runId, line.offset(), line.timestampMs(), (short) line.level().code(),
                        (short) line.stream().code(), line.text());
            }
            insert.execute();
        }
    }

    @Override
    public List<LogLine> lines(UUID runId, long fromOffset, long toOffset, LogLevel minLevel, int maxLines,
            int maxBytes) {
        if (fromOffset >= toOffset || maxLines <= 0) {
            return List.of();
        }
        Condition where = RUN_LOG_LINE.RUN_ID.eq(runId)
                .and(RUN_LOG_LINE.LINE_OFFSET.ge(fromOffset))
                .and(RUN_LOG_LINE.LINE_OFFSET.lt(toOffset));
        if (minLevel != null && minLevel.code() > LogLevel.DEBUG.code()) {
            where = where.and(RUN_LOG_LINE.LOG_LEVEL.ge((short) minLevel.code()));
        }
        // Text bytes of the lines before each one (a running sum over the primary key order, cut
        // by the LIMIT below it): the outer query keeps lines until the page holds maxBytes.
        Field<Integer> length = DSL.octetLength(RUN_LOG_LINE.TEXT);
        Field<BigDecimal> before = DSL.sum(length).over()
                .orderBy(RUN_LOG_LINE.LINE_OFFSET)
                .rowsBetweenUnboundedPreceding().andCurrentRow()
                .minus(length)
                .as("bytes_before");
        Table<?> page = dsl.select(RUN_LOG_LINE.LINE_OFFSET, RUN_LOG_LINE.TIMESTAMP_MS, RUN_LOG_LINE.LOG_LEVEL,
                        RUN_LOG_LINE.LOG_STREAM, RUN_LOG_LINE.TEXT, before)
                .from(RUN_LOG_LINE)
                .where(where)
                .orderBy(RUN_LOG_LINE.LINE_OFFSET)
                .limit(maxLines)
                .asTable("page");
        Field<Long> offset = page.field(RUN_LOG_LINE.LINE_OFFSET);
        Field<Long> timestamp = page.field(RUN_LOG_LINE.TIMESTAMP_MS);
        Field<Short> level = page.field(RUN_LOG_LINE.LOG_LEVEL);
        Field<Short> stream = page.field(RUN_LOG_LINE.LOG_STREAM);
        Field<String> text = page.field(RUN_LOG_LINE.TEXT);
        Field<BigDecimal> bytesBefore = page.field("bytes_before", BigDecimal.class);
        return dsl.select(offset, timestamp, level, stream, text)
                .from(page)
                .where(bytesBefore.lt(BigDecimal.valueOf(maxBytes)))
                .orderBy(offset)
                .fetch((Record r) -> new LogLine(r.get(offset), r.get(timestamp), LogLevel.ofCode(r.get(level)),
                        LogStream.ofCode(r.get(stream)), r.get(text)));
    }
}
