package dev.labbook.server.grpc;

import com.google.protobuf.Message;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.access.AccessPolicy;
import dev.labbook.server.domain.access.AccessPolicy.ProjectRef;
import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.AuditLog;
import dev.labbook.server.domain.access.AuthenticatorChain;
import dev.labbook.server.domain.access.Permission;
import dev.labbook.server.domain.access.PermissionDeniedException;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.ProjectLookup;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Access control of every call, on both ports: reads the method's {@code (labbook.v1.access)}
 * rule, authenticates the caller, resolves the request's targets to their projects and checks
 * the caller's role there before the method sees the request. Deny by default: a method without
 * a rule is refused to everyone. Calls that change anything (and every denial) go to the audit
 * log; denials are counted by the {@link RpcObserver}.
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
    private final ProjectLookup projects;
    private final AuditLog audit;
    private final RpcObserver observer;
    private final Clock clock;
    private final AccessRules rules = new AccessRules();
    private final Duration recheckInterval;
    private final ScheduledExecutorService rechecks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "labbook-access-recheck");
        thread.setDaemon(true);
        return thread;
    });

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
        this.recheckInterval = recheckInterval;
        this.enabled = enabled;
        this.authenticators = authenticators;
        this.projects = projects;
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
                found.map(rule -> rule.permission().mutating()).orElse(true));
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
        guarded.principal = principal;
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
        ServerCall.Listener<ReqT> checked = checkTargets ? new TargetCheck<>(listener, guarded, rule, principal)
                : listener;
        boolean stream = call.getMethodDescriptor().getType() != io.grpc.MethodDescriptor.MethodType.UNARY;
        if (enabled && stream && rule.permission() != Permission.PUBLIC) {
            return watchCredentials(checked, guarded, credential);
        }
        return checked;
    }

    /**
     * A stream may stay open for hours (a follow, a watch, a long metric stream): its credentials
     * are verified again every {@link #recheckInterval}, and a refusal (revoked, expired) ends it
     * with UNAUTHENTICATED, whatever it was doing.
     */
    private <ReqT, RespT> ServerCall.Listener<ReqT> watchCredentials(ServerCall.Listener<ReqT> listener,
            GuardedCall<ReqT, RespT> call, Optional<String> credential) {
        long every = recheckInterval.toMillis();
        ScheduledFuture<?> recheck = rechecks.scheduleWithFixedDelay(() -> {
            try {
                authenticators.authenticate(credential);
            } catch (LabbookException e) {
                call.close(e);
            } catch (RuntimeException e) {
                // An authenticator that cannot answer now (database down) does not end streams.
            }
        }, every, every, TimeUnit.MILLISECONDS);
        call.onClose(() -> recheck.cancel(false));
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                recheck.cancel(false);
                super.onCancel();
            }

            @Override
            public void onComplete() {
                recheck.cancel(false);
                super.onComplete();
            }
        };
    }

    /** Stops the stream re-checks (at server shutdown). */
    @Override
    public void close() {
        rechecks.shutdownNow();
    }

    /** The bearer credential of the call: the authorization header, else the web UI's session cookie. */
    static Optional<String> credential(Metadata headers) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            String value = authorization.trim();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of(value.substring(7).trim());
            }
            // Not a bearer credential: none of ours (the chain then reports it missing).
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

    /**
     * The call as the service sees it: closes once (a refusal may race the service's own close),
     * and reports how it ended to the audit log and the denial counters.
     */
    private final class GuardedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
        private final String method;
        private final boolean mutating;
        private volatile Principal principal;
        private volatile String target = "";
        private volatile String project = "";
        private boolean closed;
        private final List<Runnable> closeActions = new ArrayList<>(1);

        GuardedCall(ServerCall<ReqT, RespT> call, String method, boolean mutating) {
            super(call);
            this.method = method;
            this.mutating = mutating;
        }

        ServerCall.Listener<ReqT> refuse(LabbookException error) {
            close(error);
            return new ServerCall.Listener<>() {
            };
        }

        void close(LabbookException error) {
            StatusRuntimeException status = StatusMapper.toStatusException(error);
            Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
            close(status.getStatus(), trailers);
            Status.Code code = status.getStatus().getCode();
            if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
                observer.accessDenied(method, code.name(), error.reason().name());
            }
        }

        void onClose(Runnable action) {
            boolean now;
            synchronized (this) {
                now = closed;
                if (!now) {
                    closeActions.add(action);
                }
            }
            if (now) {
                action.run();
            }
        }

        /** Serialised with close: a re-check may end the stream from another thread. */
        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void request(int numMessages) {
            if (!closed) {
                super.request(numMessages);
            }
        }

        /** Dropped once the call is closed (the service learns it from its cancelled context). */
        @Override
        public synchronized void sendMessage(RespT message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (closed) {
                return;
            }
            closed = true;
            closeActions.forEach(Runnable::run);
            super.close(status, trailers);
            boolean denied = status.getCode() == Status.Code.PERMISSION_DENIED;
            // Not UNAUTHENTICATED refusals: anyone can make those in bulk for free, and they
            // must not crowd real changes out of the audit queue (they are counted instead).
            boolean anonymousRefusal = status.getCode() == Status.Code.UNAUTHENTICATED;
            if ((mutating || denied) && !anonymousRefusal) {
                Principal caller = principal;
                audit.record(new AuditEntry(clock.instant(), caller == null ? "unauthenticated" : caller.name(),
                        method, project, target, status.getCode().name(), peer()));
            }
        }

        private String peer() {
            SocketAddress address = getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            return address == null ? "" : address.toString().replaceFirst("^/", "");
        }
    }

    /** Checks each request message's targets before the service sees it. */
    private final class TargetCheck<ReqT, RespT> extends SimpleForwardingServerCallListener<ReqT> {
        private final GuardedCall<ReqT, RespT> call;
        private final MethodAccess rule;
        private final Principal principal;
        private List<String> allowed;
        private boolean refused;

        TargetCheck(ServerCall.Listener<ReqT> delegate, GuardedCall<ReqT, RespT> call, MethodAccess rule,
                Principal principal) {
            super(delegate);
            this.call = call;
            this.rule = rule;
            this.principal = principal;
        }

        @Override
        public void onMessage(ReqT message) {
            if (refused) {
                return;
            }
            try {
                check((Message) message);
            } catch (LabbookException e) {
                refused = true;
                call.close(e);
                // The service may hold state for this stream (earlier messages): let it clean up.
                super.onCancel();
                return;
            }
            super.onMessage(message);
        }

        private void check(Message message) {
            List<String> named = new ArrayList<>();
            for (TargetField field : rule.targets()) {
                for (String value : field.values(message)) {
                    named.add(field.path() + "=" + value);
                }
            }
            if (named.isEmpty()) {
                if (allowed != null) {
                    return; // a later message of a stream that names nothing new (an upload's chunks)
                }
                if (enabled && !rule.listsProject()) {
                    throw new InvalidArgumentException(rule.targets().get(0).path(), "is required");
                }
            }
            if (named.equals(allowed)) {
                return;
            }
            call.target = String.join(" ", named);
            if (enabled) {
                Map<String, ProjectRef> touched = projectsOf(message);
                call.project = String.join(",", touched.keySet());
                AccessPolicy.require(principal, rule.permission(), touched);
            }
            allowed = named;
        }

        /** The project of every non-empty target ({@code default} when only empty project fields). */
        private Map<String, ProjectRef> projectsOf(Message message) {
            Map<String, ProjectRef> touched = new LinkedHashMap<>();
            for (TargetField field : rule.targets()) {
                List<String> values = field.values(message);
                if (values.isEmpty()) {
                    continue;
                }
                switch (field.kind()) {
                    case PROJECT -> values.forEach(v -> touched.putIfAbsent(
                            v.equals(Principal.ALL_PROJECTS) ? v : Limits.project(field.path(), v), ProjectRef.named()));
                    case EXPERIMENT -> resolve(field, values, projects::ofExperiments, "experiment",
                            ErrorReason.EXPERIMENT_NOT_FOUND, touched);
                    case RUN -> resolve(field, values, projects::ofRuns, "run", ErrorReason.RUN_NOT_FOUND, touched);
                    case TOKEN -> {
                        UUID id = ProtoIds.required(field.path(), values.get(0));
                        String project = projects.ofToken(id).orElseThrow(
                                () -> notFound(ErrorReason.TOKEN_NOT_FOUND, "token", id));
                        touched.putIfAbsent(project, ProjectRef.via(field.path(), values.get(0)));
                    }
                }
            }
            if (touched.isEmpty()) {
                touched.put(Limits.DEFAULT_PROJECT, ProjectRef.named());
            }
            return touched;
        }

        private void resolve(TargetField field, List<String> values,
                java.util.function.Function<List<UUID>, Map<UUID, String>> lookup, String type, ErrorReason reason,
                Map<String, ProjectRef> touched) {
            List<UUID> ids = values.stream().map(v -> ProtoIds.required(field.path(), v)).toList();
            Map<UUID, String> found = lookup.apply(ids);
            for (UUID id : ids) {
                String project = found.get(id);
                if (project == null) {
                    throw notFound(reason, type, id);
                }
                touched.putIfAbsent(project, ProjectRef.via(field.path(), id.toString()));
            }
        }

        private NotFoundException notFound(ErrorReason reason, String type, UUID id) {
            NotFoundException error = new NotFoundException(reason, type + " " + id + " not found");
            error.about(type, id);
            return error;
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                super.onReady();
            }
        }

        @Override
        public void onCancel() {
            if (!refused) {
                super.onCancel();
            }
        }
    }
}
