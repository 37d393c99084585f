package dev.labbook.server.grpc;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.access.AccessPolicy;
import dev.labbook.server.domain.access.AuditLog;
import dev.labbook.server.domain.access.AuthenticatorChain;
import dev.labbook.server.domain.access.Permission;
import dev.labbook.server.domain.access.PermissionDeniedException;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.ProjectLookup;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Access control of every call, on both ports: reads the method's {@code (labbook.v1.access)}
 * rule, authenticates the caller, resolves the request's targets to their projects and checks
 * the caller's role there before the method sees the request. Deny by default: a method without
 * a rule is refused to everyone. The pieces: {@link AccessRules} (the rules), {@link GuardedCall}
 * (closes once; audit log of changes and of PERMISSION_DENIED, denial counters),
 * {@link TargetCheck} with {@link TargetProjects} (targets per message), {@link CredentialWatch}
 * (open streams re-verify their credentials).
 *
 * <p>Costs per call, not per point: credentials and target projects are cached (by the
 * authenticators and {@link ProjectLookup}), and a client stream is checked again only when a
 * message names other targets than the one before.
 */
public final class AccessInterceptor implements ServerInterceptor, AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of(CallerContext.AUTHORIZATION, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> COOKIE = Metadata.Key.of("cookie", Metadata.ASCII_STRING_MARSHALLER);
    /** Streams re-verify their credentials this often (API tokens are cached 5 s: 10 s in all). */
    public static final Duration RECHECK_INTERVAL = Duration.ofSeconds(5);
    /** The caller of a public method on a server with access control on: no roles. */
    private static final Principal PUBLIC_CALLER = new Principal("unauthenticated", "none", Map.of(),
            Optional.empty(), Optional.empty());

    /**
     * Services outside labbook.v1 that anyone may call: health (for probes and load balancers)
     * and reflection (the API's schema, for grpcurl). Neither tells anything about a project.
     * Any other service without an access rule is refused.
     */
    private static final java.util.Set<String> INFRASTRUCTURE = java.util.Set.of("grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

    private final boolean enabled;
    private final AuthenticatorChain authenticators;
    private final TargetProjects targetProjects;
    private final AuditLog audit;
    private final RpcObserver observer;
    private final Clock clock;
    private final AccessRules rules = new AccessRules();
    private final CredentialWatch streams;

    /**
     * @param enabled false: every caller is {@link Principal#ANONYMOUS} and nothing is checked
     *     (calls that change anything are still audited)
     */
    public AccessInterceptor(boolean enabled, AuthenticatorChain authenticators, ProjectLookup projects,
            AuditLog audit, RpcObserver observer, Clock clock) {
        this(enabled, authenticators, projects, audit, observer, clock, RECHECK_INTERVAL);
    }

    /**
     * @param recheckInterval how often the credentials of an open stream are verified again: a
     *     revoked or expired token ends the streams it opened within this (plus the
     *     authenticators' cache time)
     */
    public AccessInterceptor(boolean enabled, AuthenticatorChain authenticators, ProjectLookup projects,
            AuditLog audit, RpcObserver observer, Clock clock, Duration recheckInterval) {
        this.enabled = enabled;
        this.authenticators = authenticators;
        this.targetProjects = new TargetProjects(projects);
        this.streams = new CredentialWatch(authenticators, recheckInterval);
        this.audit = audit;
        this.observer = observer;
        this.clock = clock;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (INFRASTRUCTURE.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        Optional<MethodAccess> found = rules.of(call.getMethodDescriptor());
        GuardedCall<ReqT, RespT> guarded = new GuardedCall<>(call, method,
                found.map(rule -> rule.permission().mutating()).orElse(true), audit, observer, clock);
        if (found.isEmpty()) {
            return guarded.refuse(new PermissionDeniedException(ErrorReason.ACCESS_RULE_MISSING,
                    method + " declares no (labbook.v1.access) rule, so nobody may call it"));
        }
        MethodAccess rule = found.get();
        Principal principal;
        Optional<String> credential = credential(headers);
        try {
            principal = !enabled ? Principal.ANONYMOUS
                    : rule.permission() == Permission.PUBLIC ? PUBLIC_CALLER
                    : authenticators.authenticate(credential);
        } catch (LabbookException e) {
            return guarded.refuse(e);
        }
        guarded.principal(principal);
        if (enabled && rule.targets().isEmpty()) {
            try {
                AccessPolicy.requireSomewhere(principal, rule.permission());
            } catch (LabbookException e) {
                return guarded.refuse(e);
            }
        }
        Context context = Context.current().withValue(CallerContext.PRINCIPAL, principal);
        ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, guarded, headers, next);
        // With access control off, targets are only read for the audit log of changes.
        boolean checkTargets = !rule.targets().isEmpty() && (enabled || rule.permission().mutating());
        ServerCall.Listener<ReqT> checked = checkTargets ? new TargetCheck<>(listener, guarded, rule, principal,
                enabled ? Optional.of(targetProjects) : Optional.empty()) : listener;
        boolean stream = call.getMethodDescriptor().getType() != io.grpc.MethodDescriptor.MethodType.UNARY;
        if (enabled && stream && rule.permission() != Permission.PUBLIC) {
            // A stream may stay open for hours: its credentials are verified again while it is.
            return streams.watch(checked, guarded, credential);
        }
        return checked;
    }

    /** Stops the stream re-checks (at server shutdown). */
    @Override
    public void close() {
        streams.close();
    }

    /** The bearer credential of the call: the authorization header, else the web UI's session cookie. */
    static Optional<String> credential(Metadata headers) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            String value = authorization.trim();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of(value.substring(7).trim());
            }
            // Not a bearer credential: passed on as is (the chain refuses what it does not know).
            return Optional.of(value);
        }
        Iterable<String> cookies = headers.getAll(COOKIE);
        if (cookies != null) {
            for (String header : cookies) {
                for (String pair : header.split(";")) {
                    String trimmed = pair.trim();
                    if (trimmed.startsWith(CallerContext.SESSION_COOKIE + "=")) {
                        return Optional.of(trimmed.substring(CallerContext.SESSION_COOKIE.length() + 1));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
