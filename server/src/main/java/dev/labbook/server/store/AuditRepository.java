package dev.labbook.server.store;

import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.AuditEvent;
import java.util.Collection;
import java.util.List;

/** The audit log, within the caller's transaction. */
public interface AuditRepository {
    /** Appends the entries in one statement. */
    void insert(List<AuditEntry> entries);

    /**
     * Newest first, ids below {@code beforeId} when positive.
     *
     * @param projects only events of these projects (may hold the empty project); null: all
     * @param principal only this principal's events; null: everyone's
     */
    List<AuditEvent> list(Collection<String> projects, String principal, long beforeId, int limit);

    /** Deletes up to {@code limit} of the oldest events older than {@code cutoff}; returns how many. */
    int deleteOlderThan(java.time.Instant cutoff, int limit);
}
