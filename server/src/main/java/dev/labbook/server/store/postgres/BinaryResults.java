package dev.labbook.server.store.postgres;

import java.sql.SQLException;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/**
 * Asks pgjdbc for results in PostgreSQL's binary format from the first execution of a query.
 * pgjdbc does so by itself only once a statement has run five times on one pooled connection;
 * before that a {@code bytea} column arrives as hex text, twice its size, and is decoded back
 * into bytes on the server's thread. For the metric chunk reads (megabytes of {@code bytea} per
 * full series read) this halves what crosses the socket and removes the decoding.
 *
 * <p>A connection whose URL says {@code prepareThreshold=0} (no statements prepared on the
 * server, as a PgBouncer in transaction mode needs) is left alone: its results stay text.
 */
final class BinaryResults implements ExecuteListener {
    private static final BinaryResults INSTANCE = new BinaryResults();

    private BinaryResults() {
    }

    /** {@code dsl} with every statement it prepares asking for binary results. */
    static DSLContext on(DSLContext dsl) {
        return dsl.configuration().derive(new DefaultExecuteListenerProvider(INSTANCE)).dsl();
    }

    @Override
    public void prepareEnd(ExecuteContext ctx) {
        try {
            if (ctx.connection().unwrap(PGConnection.class).getPrepareThreshold() <= 0) {
                return;
            }
            // A negative threshold is pgjdbc's "force binary transfers": the statement is
            // prepared on the server at once (one extra Describe) and its results come binary.
            ctx.statement().unwrap(PGStatement.class).setPrepareThreshold(-1);
        } catch (SQLException e) {
            throw new DataAccessException("cannot ask PostgreSQL for binary results", e);
        }
    }
}
