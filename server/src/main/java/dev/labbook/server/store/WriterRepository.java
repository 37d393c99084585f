package dev.labbook.server.store;

import java.time.Instant;
import java.util.UUID;

/**
 * The last sequence each writer committed to a run, shared by every appended kind (metric
 * batches, log lines, table rows), within the caller's transaction.
 */
public interface WriterRepository {
    /**
     * Locks the writer's row until the transaction ends (creating it at 0) and returns its last
     * committed sequence: appends of one writer are serialised on it.
     */
    long lockWriter(UUID runId, String writerId);

    void setLastSequence(UUID runId, String writerId, long sequence, Instant time);

    /** Last committed sequence, 0 when the writer never committed. */
    long lastSequence(UUID runId, String writerId);
}
