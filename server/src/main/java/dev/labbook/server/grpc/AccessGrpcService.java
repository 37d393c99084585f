package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.AccessServiceGrpc;
import dev.labbook.api.v1.Caller;
import dev.labbook.api.v1.CreateTokenRequest;
import dev.labbook.api.v1.CreateTokenResponse;
import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.GetCallerResponse;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.api.v1.ListAuditEventsResponse;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.ListTokensResponse;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.api.v1.RevokeTokenResponse;
import dev.labbook.api.v1.RoleBinding;
import dev.labbook.api.v1.Token;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.access.ApiToken;
import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.AuditEvent;
import dev.labbook.server.domain.access.AuditService;
import dev.labbook.server.domain.access.NewToken;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.domain.access.TokenService;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** AccessService RPCs: maps messages to {@link TokenService} and {@link AuditService} calls for the caller. */
public final class AccessGrpcService extends AccessServiceGrpc.AccessServiceImplBase {
    private final TokenService tokens;
    private final AuditService audit;
    private final boolean authEnabled;

    public AccessGrpcService(TokenService tokens, AuditService audit, boolean authEnabled) {
        this.tokens = tokens;
        this.audit = audit;
        this.authEnabled = authEnabled;
    }

    @Override
    public void getCaller(GetCallerRequest request, StreamObserver<GetCallerResponse> response) {
        Principal caller = CallerContext.principal();
        Caller.Builder builder = Caller.newBuilder()
                .setPrincipal(caller.name())
                .setMethod(caller.method())
                .setExpireTimeMs(caller.expiresAt().map(Instant::toEpochMilli).orElse(0L))
                .setAuthEnabled(authEnabled)
                .setTokenId(caller.tokenId().orElse(""));
        // Sorted by project ('*' first), so that the answer does not depend on map order.
        new TreeMap<>(caller.roles()).forEach((project, role) ->
                builder.addRoles(RoleBinding.newBuilder().setProject(project).setRole(toProto(role))));
        reply(response, GetCallerResponse.newBuilder().setCaller(builder).build());
    }

    @Override
    public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> response) {
        NewToken created = tokens.create(CallerContext.principal(), request.getName(), request.getProject(),
                fromProto(request.getRole()), request.getTtlSeconds());
        reply(response, CreateTokenResponse.newBuilder()
                .setToken(toProto(created.token()))
                .setSecret(created.secret())
                .build());
    }

    @Override
    public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> response) {
        Page<ApiToken> page = tokens.list(CallerContext.principal(), request.getProject(), request.getShowInactive(),
                request.getPageSize(), request.getPageToken());
        ListTokensResponse.Builder builder = ListTokensResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(token -> builder.addTokens(toProto(token)));
        reply(response, builder.build());
    }

    @Override
    public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> response) {
        ApiToken revoked = tokens.revoke(CallerContext.principal(), ProtoIds.required("token_id", request.getTokenId()));
        reply(response, RevokeTokenResponse.newBuilder().setToken(toProto(revoked)).build());
    }

    @Override
    public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> response) {
        Page<AuditEvent> page = audit.list(CallerContext.principal(), request.getProject(), request.getPrincipal(),
                request.getPageSize(), request.getPageToken());
        ListAuditEventsResponse.Builder builder =
                ListAuditEventsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(event -> builder.addEvents(toProto(event)));
        reply(response, builder.build());
    }

    static Token toProto(ApiToken token) {
        return Token.newBuilder()
                .setTokenId(token.id().toString())
                .setName(token.name())
                .setProject(token.project())
                .setRole(toProto(token.role()))
                .setPrefix(token.prefix())
                .setCreator(token.creator())
                .setCreateTimeMs(millis(token.createdAt()))
                .setExpireTimeMs(millis(token.expiresAt()))
                .setRevokeTimeMs(millis(token.revokedAt()))
                .setLastUseTimeMs(millis(token.lastUsedAt()))
                .build();
    }

    static dev.labbook.api.v1.AuditEvent toProto(AuditEvent event) {
        AuditEntry entry = event.entry();
        return dev.labbook.api.v1.AuditEvent.newBuilder()
                .setEventId(event.id())
                .setTimeMs(millis(entry.time()))
                .setPrincipal(entry.principal())
                .setMethod(entry.method())
                .setProject(entry.project())
                .setTarget(entry.target())
                .setCode(entry.code())
                .setPeer(entry.peer())
                .build();
    }

    private static final Map<Role, dev.labbook.api.v1.Role> ROLES = Map.of(
            Role.VIEWER, dev.labbook.api.v1.Role.ROLE_VIEWER,
            Role.EDITOR, dev.labbook.api.v1.Role.ROLE_EDITOR,
            Role.ADMIN, dev.labbook.api.v1.Role.ROLE_ADMIN);

    static dev.labbook.api.v1.Role toProto(Role role) {
        return ROLES.get(role);
    }

    /** Null for ROLE_UNSPECIFIED (the service says the role is required); unknown numbers are refused here. */
    static Role fromProto(dev.labbook.api.v1.Role role) {
        return switch (role) {
            case ROLE_UNSPECIFIED -> null;
            case ROLE_VIEWER -> Role.VIEWER;
            case ROLE_EDITOR -> Role.EDITOR;
            case ROLE_ADMIN -> Role.ADMIN;
            case UNRECOGNIZED -> throw new InvalidArgumentException("role", "is not a known role (viewer, editor or admin)");
        };
    }

    private static long millis(Instant instant) {
        return instant == null ? 0 : instant.toEpochMilli();
    }
}
