package dev.labbook.server.grpc;

import com.google.protobuf.Message;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.access.AccessPolicy;
import dev.labbook.server.domain.access.AccessPolicy.ProjectRef;
import dev.labbook.server.domain.access.Principal;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks each request message's targets before the service sees it: the caller needs the rule's
 * permission in the project of every target. A client stream is checked again only when a
 * message names other targets than the one before. Without access control it only notes the
 * targets for the audit log.
 */
final class TargetCheck<ReqT, RespT> extends SimpleForwardingServerCallListener<ReqT> {
    private final GuardedCall<ReqT, RespT> call;
    private final MethodAccess rule;
    private final Principal principal;
    private final Optional<TargetProjects> projects;
    private List<String> allowed;
    private boolean refused;

    /**
     * @param projects how targets resolve to projects; empty with access control off
     */
    TargetCheck(ServerCall.Listener<ReqT> delegate, GuardedCall<ReqT, RespT> call, MethodAccess rule,
            Principal principal, Optional<TargetProjects> projects) {
        super(delegate);
        this.call = call;
        this.rule = rule;
        this.principal = principal;
        this.projects = projects;
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
            if (projects.isPresent() && !rule.listsProject()) {
                throw new InvalidArgumentException(rule.targets().get(0).path(), "is required");
            }
        }
        if (named.equals(allowed)) {
            return;
        }
        if (projects.isPresent()) {
            Map<String, ProjectRef> touched = projects.get().of(rule, message);
            call.targets(String.join(" ", named), String.join(",", touched.keySet()));
            AccessPolicy.require(principal, rule.permission(), touched);
        } else {
            call.targets(String.join(" ", named), "");
        }
        allowed = named;
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
