package dev.labbook.server.domain.access;

/**
 * Where audited calls go. {@link #record} is called on the call's thread at the end of every
 * mutating call, so it must not block on the database: implementations queue and write in batches.
 */
public interface AuditLog {
    void record(AuditEntry entry);

    /** An audit log that drops everything (tests of other things). */
    AuditLog NONE = entry -> { };
}
