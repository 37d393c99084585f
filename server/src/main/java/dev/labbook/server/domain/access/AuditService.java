package dev.labbook.server.domain.access;

import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.store.AccessStore;
import java.util.Collection;
import java.util.List;

/**
 * Reads the audit log: the events of the projects the caller administers, newest first. Events
 * that name no project are shown only to admins of every project.
 */
public final class AuditService {
    private static final int MAX_PRINCIPAL_LENGTH = 256;
    private static final int RETENTION_BATCH = 10_000;

    private final AccessStore store;

    public AuditService(AccessStore store) {
        this.store = store;
    }

    /**
     * @param project only this project's events ({@value Principal#ALL_PROJECTS}: those of calls
     *     about every project, such as creating a {@code *} token); empty: every project the
     *     caller administers
     * @param principal only this principal's events; empty: everyone's
     */
    public Page<AuditEvent> list(Principal caller, String project, String principal, int pageSize, String pageToken) {
        int size = Limits.pageSize("page_size", pageSize);
        String only = project == null || project.isEmpty() ? null : AdminScope.projectOrAll("project", project);
        String who = principal == null || principal.isEmpty() ? null : principal;
        if (who != null && who.length() > MAX_PRINCIPAL_LENGTH) {
            throw new InvalidArgumentException("principal", "is longer than " + MAX_PRINCIPAL_LENGTH + " characters");
        }
        Collection<String> scope = AdminScope.of(caller, only, "audit events");
        String fingerprint = "audit|" + (only == null ? "" : only) + "|" + (who == null ? "" : who);
        long before = PageTokens.decodePosition("page_token", pageToken, fingerprint);
        List<AuditEvent> rows = store.inTransaction(tx -> tx.audit().list(scope, who, before, size + 1));
        if (rows.size() <= size) {
            return new Page<>(rows, "");
        }
        List<AuditEvent> page = rows.subList(0, size);
        return new Page<>(page, PageTokens.encodePosition(page.get(size - 1).id(), fingerprint));
    }

    /**
     * Deletes the events older than the retention, in batches (each its own short transaction,
     * so the audit writer is never held up for long).
     *
     * @return how many were deleted
     */
    public long deleteOlderThan(java.time.Instant cutoff) {
        long deleted = 0;
        int batch;
        do {
            batch = store.inTransaction(tx -> tx.audit().deleteOlderThan(cutoff, RETENTION_BATCH));
            deleted += batch;
        } while (batch == RETENTION_BATCH);
        return deleted;
    }
}
