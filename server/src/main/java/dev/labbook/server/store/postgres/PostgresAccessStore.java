package dev.labbook.server.store.postgres;

import dev.labbook.server.store.AccessStore;
import dev.labbook.server.store.AuditRepository;
import dev.labbook.server.store.TokenRepository;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** {@link AccessStore} on PostgreSQL through jOOQ; each unit of work is one JDBC transaction. */
public final class PostgresAccessStore implements AccessStore {
    private final DSLContext dsl;

    public PostgresAccessStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public <T> T inTransaction(Function<AccessTransaction, T> work) {
        try {
            return dsl.transactionResult(configuration -> work.apply(new Transaction(configuration.dsl())));
        } catch (DataAccessException e) {
            throw SqlSupport.translate(e);
        }
    }

    private static final class Transaction implements AccessTransaction {
        private final TokenRepository tokens;
        private final AuditRepository audit;

        Transaction(DSLContext tx) {
            this.tokens = new PostgresTokenRepository(tx);
            this.audit = new PostgresAuditRepository(tx);
        }

        @Override
        public TokenRepository tokens() {
            return tokens;
        }

        @Override
        public AuditRepository audit() {
            return audit;
        }
    }
}
