package dev.labbook.server.store.postgres;

import dev.labbook.server.domain.AbortedException;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.UnavailableException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** Conversions and conditions shared by the PostgreSQL repositories. */
final class SqlSupport {
    private static final String UNIQUE_VIOLATION = "23505";

    private SqlSupport() {
    }

    static OffsetDateTime toTimestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant toInstant(OffsetDateTime timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    static Condition lifecycle(Field<OffsetDateTime> deletedAt, Lifecycle lifecycle) {
        return switch (lifecycle) {
            case ACTIVE -> deletedAt.isNull();
            case DELETED -> deletedAt.isNotNull();
            case ALL -> DSL.noCondition();
        };
    }

    /** Turns database failures that a retry can fix into domain errors; others stay as they are. */
    static RuntimeException translate(DataAccessException e) {
        String state = e.sqlState();
        if (state != null && (state.equals("40001") || state.equals("40P01"))) {
            return new AbortedException("the change conflicted with a concurrent one; retry it", e);
        }
        if (poolExhausted(e)) {
            return new ResourceExhaustedException(ErrorReason.SERVER_BUSY,
                    "server busy: every database connection is in use; retry later");
        }
        if ((state != null && state.startsWith("08")) || hasCause(e, SQLTransientConnectionException.class)) {
            return new UnavailableException("the metadata database is unavailable; retry later", e);
        }
        return e;
    }

    /**
     * The pool had no free connection within its timeout while the database answered: HikariCP's
     * timeout carries the last failure to connect as its cause, and none when every connection
     * was simply in use (a database that is down fails the new connections the pool tries).
     */
    private static boolean poolExhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException timeout) {
                return timeout.getCause() == null && timeout.getSQLState() == null;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static boolean isUniqueViolation(DataAccessException e) {
        return UNIQUE_VIOLATION.equals(e.sqlState());
    }
}
