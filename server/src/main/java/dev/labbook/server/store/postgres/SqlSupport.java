package dev.labbook.server.store.postgres;

import dev.labbook.server.domain.Lifecycle;
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

    static boolean isUniqueViolation(DataAccessException e) {
        return UNIQUE_VIOLATION.equals(e.sqlState());
    }
}
