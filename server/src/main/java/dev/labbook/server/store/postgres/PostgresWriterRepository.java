package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_WRITER;

import dev.labbook.server.store.WriterRepository;
import java.time.Instant;
import java.util.UUID;
import org.jooq.DSLContext;

/** Writer sequences in PostgreSQL (table run_writer). */
final class PostgresWriterRepository implements WriterRepository {
    private final DSLContext dsl;

    PostgresWriterRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public long lockWriter(UUID runId, String writerId) {
        // The no-op update makes the upsert lock and return an existing row in one statement.
        return dsl.insertInto(RUN_WRITER)
                .set(RUN_WRITER.RUN_ID, runId)
                .set(RUN_WRITER.WRITER_ID, writerId)
                .set(RUN_WRITER.LAST_SEQUENCE, 0L)
                .set(RUN_WRITER.UPDATED_AT, toTimestamp(Instant.now()))
                .onConflict(RUN_WRITER.RUN_ID, RUN_WRITER.WRITER_ID)
                .doUpdate()
                .set(RUN_WRITER.LAST_SEQUENCE, RUN_WRITER.LAST_SEQUENCE)
                .returning(RUN_WRITER.LAST_SEQUENCE)
                .fetchOne(RUN_WRITER.LAST_SEQUENCE);
    }

    @Override
    public void setLastSequence(UUID runId, String writerId, long sequence, Instant time) {
        dsl.update(RUN_WRITER)
                .set(RUN_WRITER.LAST_SEQUENCE, sequence)
                .set(RUN_WRITER.UPDATED_AT, toTimestamp(time))
                .where(RUN_WRITER.RUN_ID.eq(runId).and(RUN_WRITER.WRITER_ID.eq(writerId)))
                .execute();
    }

    @Override
    public long lastSequence(UUID runId, String writerId) {
        Long sequence = dsl.select(RUN_WRITER.LAST_SEQUENCE).from(RUN_WRITER)
                .where(RUN_WRITER.RUN_ID.eq(runId).and(RUN_WRITER.WRITER_ID.eq(writerId)))
                .fetchOne(RUN_WRITER.LAST_SEQUENCE);
        return sequence == null ? 0 : sequence;
    }
}
