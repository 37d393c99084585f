package dev.labbook.server.grpc;

import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.AuditLog;
import dev.labbook.server.domain.access.Principal;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A call as the service sees it once access control wraps it: it closes once (a refusal, a
 * credentials re-check and the service's own close may race; sends after the close are dropped),
 * and reports how it ended to the audit log and the denial counters.
 */
final class GuardedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final String method;
    private final boolean mutating;
    private final AuditLog audit;
    private final RpcObserver observer;
    private final Clock clock;
    private final List<Runnable> closeActions = new ArrayList<>(1);
    private volatile Principal principal;
    private volatile String target = "";
    private volatile String project = "";
    private boolean closed;

    /**
     * @param mutating whether the method changes anything: such calls are audited however they end
     */
    GuardedCall(ServerCall<ReqT, RespT> call, String method, boolean mutating, AuditLog audit, RpcObserver observer,
            Clock clock) {
        super(call);
        this.method = method;
        this.mutating = mutating;
        this.audit = audit;
        this.observer = observer;
        this.clock = clock;
    }

    void principal(Principal caller) {
        this.principal = caller;
    }

    /** What the audit entry names: the targets as requested and their projects. */
    void targets(String named, String projects) {
        this.target = named;
        this.project = projects;
    }

    /** Closes the call with the error before its method runs; the listener to return for it. */
    ServerCall.Listener<ReqT> refuse(LabbookException error) {
        close(error);
        return new ServerCall.Listener<>() {
        };
    }

    /** Closes the call with the error's status and details; refusals are counted. */
    void close(LabbookException error) {
        StatusRuntimeException status = StatusMapper.toStatusException(error);
        Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
        close(status.getStatus(), trailers);
        Status.Code code = status.getStatus().getCode();
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
            observer.accessDenied(method, code.name(), error.reason().name());
        }
    }

    /** Runs the action when the call closes (at once if it already has). */
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
        // Not UNAUTHENTICATED refusals: anyone can make those in bulk for free, and they must not
        // crowd real changes out of the audit queue (they are counted instead).
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
