package dev.labbook.server.store;

import java.util.function.Function;

/**
 * Storage of API tokens and of the audit log, apart from the tracking data. As in
 * {@link TrackingStore}, {@code work} runs in one database transaction, rolled back by a
 * {@link RuntimeException}.
 */
public interface AccessStore {
    <T> T inTransaction(Function<AccessTransaction, T> work);

    /** Repositories bound to one open transaction. */
    interface AccessTransaction {
        TokenRepository tokens();

        AuditRepository audit();
    }
}
