package dev.labbook.server.domain.access;

/** A stored audit entry and its id (increasing: id order is nearly time order). */
public record AuditEvent(long id, AuditEntry entry) {
}
