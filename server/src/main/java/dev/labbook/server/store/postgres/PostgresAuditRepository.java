package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.AUDIT_EVENT;

import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.AuditEvent;
import dev.labbook.server.store.AuditRepository;
import java.util.Collection;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The audit log in table audit_event. */
final class PostgresAuditRepository implements AuditRepository {
    /** Rows per INSERT statement: 7 bind values each stays far below PostgreSQL's 65,535. */
    private static final int ROWS_PER_STATEMENT = 1000;

    private final DSLContext dsl;

    PostgresAuditRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public void insert(List<AuditEntry> entries) {
        for (int from = 0; from < entries.size(); from += ROWS_PER_STATEMENT) {
            var insert = dsl.insertInto(AUDIT_EVENT, AUDIT_EVENT.TIME, AUDIT_EVENT.PRINCIPAL, AUDIT_EVENT.METHOD,
                    AUDIT_EVENT.PROJECT, AUDIT_EVENT.TARGET, AUDIT_EVENT.CODE, AUDIT_EVENT.PEER);
            for (AuditEntry e : entries.subList(from, Math.min(entries.size(), from + ROWS_PER_STATEMENT))) {
                insert = insert.values(toTimestamp(e.time()), e.principal(), e.method(), e.project(), e.target(),
                        e.code(), e.peer());
            }
            insert.execute();
        }
    }

    @Override
    public List<AuditEvent> list(Collection<String> projects, String principal, long beforeId, int limit) {
        Condition condition = DSL.noCondition();
        if (projects != null) {
            condition = condition.and(AUDIT_EVENT.PROJECT.in(projects));
        }
        if (principal != null) {
            condition = condition.and(AUDIT_EVENT.PRINCIPAL.eq(principal));
        }
        if (beforeId > 0) {
            condition = condition.and(AUDIT_EVENT.ID.lt(beforeId));
        }
        return dsl.selectFrom(AUDIT_EVENT).where(condition).orderBy(AUDIT_EVENT.ID.desc()).limit(limit)
                .fetch(r -> new AuditEvent(r.getId(), new AuditEntry(toInstant(r.getTime()), r.getPrincipal(),
                        r.getMethod(), r.getProject(), r.getTarget(), r.getCode(), r.getPeer())));
    }

    @Override
    public int deleteOlderThan(java.time.Instant cutoff, int limit) {
        // Ids grow with time: the oldest rows come first along the primary key, so this reads
        // little more than what it deletes.
        return dsl.deleteFrom(AUDIT_EVENT).where(AUDIT_EVENT.ID.in(dsl.select(AUDIT_EVENT.ID).from(AUDIT_EVENT)
                .where(AUDIT_EVENT.TIME.lt(toTimestamp(cutoff))).orderBy(AUDIT_EVENT.ID).limit(limit))).execute();
    }
}
