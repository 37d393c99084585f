package dev.labbook.server.store.postgres;

/** A snapshot of the connection pool: connections in use, idle, threads waiting, and the cap. */
public record PoolUsage(int active, int idle, int waiting, int max) {
}
