package dev.labbook.sdk;

/**
 * One audited call: who called which method on what, when, and how it ended.
 *
 * @param method  full method name, e.g. {@code labbook.v1.RunService/PurgeRun}
 * @param project project of the target; empty when the call named none that exists
 * @param target  the targets as named in the request, e.g. {@code run_id=0192...}
 * @param code    gRPC status code name: {@code OK}, {@code PERMISSION_DENIED}, ...
 * @param peer    remote address of the caller
 */
public record AuditEvent(long id, long timeMs, String principal, String method, String project, String target,
        String code, String peer) {
}
