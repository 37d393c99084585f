package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.internal.generated.Tables.SERVER_SECRET;

import dev.labbook.server.store.ServerSecretStore;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jooq.DSLContext;

/** Secrets in table server_secret: the first replica to start inserts, every replica reads. */
public final class PostgresServerSecretStore implements ServerSecretStore {
    private final DSLContext dsl;

    public PostgresServerSecretStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public byte[] getOrCreate(String name, byte[] candidate) {
        return dsl.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            // Concurrent first starts race here; ON CONFLICT lets exactly one candidate win.
            tx.insertInto(SERVER_SECRET)
                    .set(SERVER_SECRET.NAME, name)
                    .set(SERVER_SECRET.SECRET, candidate)
                    .set(SERVER_SECRET.CREATED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                    .onConflictDoNothing()
                    .execute();
            return tx.select(SERVER_SECRET.SECRET).from(SERVER_SECRET).where(SERVER_SECRET.NAME.eq(name))
                    .fetchSingle().value1();
        });
    }
}
