package dev.labbook.server.store.postgres;

/**
 * Told about connection checkouts of the pool (HikariCP's metrics tracker, without Hikari types),
 * for operations metrics. Implementations must be cheap and thread-safe.
 */
public interface PoolObserver {
    /** Observes nothing. */
    PoolObserver NONE = new PoolObserver() {
    };

    /** A caller got a connection after waiting {@code nanos}. */
    default void connectionAcquired(long nanos) {
    }

    /** A caller gave up waiting for a connection (the pool's connection timeout). */
    default void connectionTimedOut() {
    }
}
