package dev.labbook.server.store.postgres;

import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Sends the notifications that {@link PostgresChangeFeed} listens for, from the writing
 * transaction: PostgreSQL delivers them when it commits (not at all when it rolls back), and
 * folds identical ones of one transaction into one. The payload is the run id only.
 */
final class ChangeNotices {
    /** Channel of "log lines of run X appended". */
    static final String LOGS_CHANNEL = "labbook_run_logs";
    /** Channel of "run X changed". */
    static final String RUN_CHANNEL = "labbook_run_changed";

    private ChangeNotices() {
    }

    static void logsAppended(DSLContext dsl, UUID runId) {
        notify(dsl, LOGS_CHANNEL, runId);
    }

    static void runChanged(DSLContext dsl, UUID runId) {
        notify(dsl, RUN_CHANNEL, runId);
    }

    private static void notify(DSLContext dsl, String channel, UUID runId) {
        dsl.fetch("SELECT pg_notify(?, ?)", channel, runId.toString());
    }
}
