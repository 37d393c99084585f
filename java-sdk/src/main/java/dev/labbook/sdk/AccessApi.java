package dev.labbook.sdk;

import static dev.labbook.sdk.ExperimentsApi.nz;

import dev.labbook.api.v1.AccessServiceGrpc;
import dev.labbook.api.v1.CreateTokenRequest;
import dev.labbook.api.v1.CreateTokenResponse;
import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.api.v1.ListAuditEventsResponse;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.ListTokensResponse;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.sdk.internal.Calls;
import io.grpc.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Access calls of {@link LabbookClient}: who the caller is, API tokens, the audit log. */
public final class AccessApi {
    private final Channel channel;
    private final Calls calls;

    AccessApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private AccessServiceGrpc.AccessServiceBlockingStub stub() {
        return AccessServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Who the client's credentials name and their roles. UNAUTHENTICATED when they are not valid. */
    public Caller caller() {
        dev.labbook.api.v1.Caller c = calls.idempotent(() -> stub().getCaller(GetCallerRequest.getDefaultInstance()))
                .getCaller();
        List<RoleBinding> roles = new ArrayList<>();
        c.getRolesList().forEach(r -> roles.add(new RoleBinding(r.getProject(), Role.of(r.getRole()))));
        return new Caller(c.getPrincipal(), c.getMethod(), roles, c.getExpireTimeMs(), c.getAuthEnabled(),
                c.getTokenId());
    }

    /**
     * Creates an API token with {@code role} in {@code project} ({@code *}: every project; empty:
     * {@code default}), expiring after {@code ttl} (null or zero: never). Its secret is in the
     * result, and only there. Sent once (not retried: a retry would make a second token).
     */
    public NewToken createToken(String name, String project, Role role, Duration ttl) {
        CreateTokenRequest req = CreateTokenRequest.newBuilder().setName(nz(name)).setProject(nz(project))
                .setRole(role.toProto()).setTtlSeconds(ttl == null ? 0 : ttl.toSeconds()).build();
        CreateTokenResponse resp = calls.once(() -> stub().createToken(req));
        return new NewToken(token(resp.getToken()), resp.getSecret());
    }

    /**
     * One page of the tokens of {@code project} (empty: every project the caller administers),
     * newest first; revoked and expired ones only with {@code showInactive}.
     */
    public Page<TokenInfo> listTokens(String project, boolean showInactive, int pageSize, String pageToken) {
        ListTokensRequest req = ListTokensRequest.newBuilder().setProject(nz(project)).setShowInactive(showInactive)
                .setPageSize(pageSize).setPageToken(nz(pageToken)).build();
        ListTokensResponse resp = calls.idempotent(() -> stub().listTokens(req));
        List<TokenInfo> out = new ArrayList<>();
        resp.getTokensList().forEach(t -> out.add(token(t)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every page of {@link #listTokens}. */
    public List<TokenInfo> listAllTokens(String project, boolean showInactive) {
        List<TokenInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<TokenInfo> page = listTokens(project, showInactive, 1000, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /** Revokes a token (within 10 s no server replica accepts it); a revoked one is returned unchanged. */
    public TokenInfo revokeToken(String tokenId) {
        RevokeTokenRequest req = RevokeTokenRequest.newBuilder().setTokenId(nz(tokenId)).build();
        return token(calls.idempotent(() -> stub().revokeToken(req)).getToken());
    }

    /** One page of audit events, newest first, of {@code project} and/or {@code principal} (empty: any). */
    public Page<AuditEvent> listAuditEvents(String project, String principal, int pageSize, String pageToken) {
        ListAuditEventsRequest req = ListAuditEventsRequest.newBuilder().setProject(nz(project))
                .setPrincipal(nz(principal)).setPageSize(pageSize).setPageToken(nz(pageToken)).build();
        ListAuditEventsResponse resp = calls.idempotent(() -> stub().listAuditEvents(req));
        List<AuditEvent> out = new ArrayList<>();
        resp.getEventsList().forEach(e -> out.add(new AuditEvent(e.getEventId(), e.getTimeMs(), e.getPrincipal(),
                e.getMethod(), e.getProject(), e.getTarget(), e.getCode(), e.getPeer())));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** The newest {@code limit} audit events (following pages as needed; 0: all). */
    public List<AuditEvent> listAuditEvents(String project, String principal, int limit) {
        List<AuditEvent> out = new ArrayList<>();
        String token = "";
        do {
            int size = limit > 0 ? Math.min(1000, limit - out.size()) : 1000;
            Page<AuditEvent> page = listAuditEvents(project, principal, size, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty() && (limit <= 0 || out.size() < limit));
        return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
    }

    private static TokenInfo token(dev.labbook.api.v1.Token t) {
        return new TokenInfo(t.getTokenId(), t.getName(), t.getProject(), Role.of(t.getRole()), t.getPrefix(),
                t.getCreator(), t.getCreateTimeMs(), t.getExpireTimeMs(), t.getRevokeTimeMs(), t.getLastUseTimeMs());
    }
}
