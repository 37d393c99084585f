package dev.labbook.server.domain.access;

import java.time.Instant;

/**
 * One audited call: every call whose permission is a change ({@link Permission#mutating()}),
 * allowed or denied.
 *
 * @param time when the call ended
 * @param principal the caller's {@link Principal#name()}, or {@code unauthenticated}
 * @param method full method name, e.g. {@code labbook.v1.RunService/PurgeRun}
 * @param project project of the target; empty when the call named none that exists
 * @param target the targets as named in the request, e.g. {@code run_id=0192...}
 * @param code gRPC status code name, e.g. {@code OK}, {@code PERMISSION_DENIED}
 * @param peer remote address of the caller
 */
public record AuditEntry(Instant time, String principal, String method, String project, String target, String code,
        String peer) {
}
