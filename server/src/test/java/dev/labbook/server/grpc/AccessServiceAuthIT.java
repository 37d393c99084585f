package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AccessServiceGrpc.AccessServiceBlockingStub;
import dev.labbook.api.v1.AuditEvent;
import dev.labbook.api.v1.Caller;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateTokenRequest;
import dev.labbook.api.v1.CreateTokenResponse;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.api.v1.Role;
import dev.labbook.api.v1.RoleBinding;
import dev.labbook.api.v1.Token;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.access.TokenSecrets;
import dev.labbook.server.domain.access.TokenService;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * AccessService with access control on, called with real API tokens over gRPC: who the caller
 * is, who may mint, list and revoke which tokens, what refused tokens are told, and the audit log
 * of what they did.
 */
@ExtendWith(AuthServerExtension.class)
class AccessServiceAuthIT {

    private static AccessServiceBlockingStub access(TestServer server, String secret) {
        return TestTokens.as(server.access(), secret);
    }

    private static CreateTokenResponse create(AccessServiceBlockingStub as, String name, String project, Role role) {
        return as.createToken(CreateTokenRequest.newBuilder().setName(name).setProject(project).setRole(role)
                .build());
    }

    @Test
    void getCallerDescribesTheToken(TestServer server) {
        CreateTokenResponse created = access(server, AuthServerExtension.BOOTSTRAP_TOKEN).createToken(
                CreateTokenRequest.newBuilder().setName("trainer").setProject("vision").setRole(Role.ROLE_EDITOR)
                        .setTtlSeconds(3600).build());

        Caller caller = access(server, created.getSecret()).getCaller(GetCallerRequest.getDefaultInstance()).getCaller();

        assertThat(caller).isEqualTo(Caller.newBuilder().setPrincipal("token:trainer").setMethod("token")
                .addRoles(RoleBinding.newBuilder().setProject("vision").setRole(Role.ROLE_EDITOR))
                .setExpireTimeMs(created.getToken().getExpireTimeMs()).setAuthEnabled(true)
                .setTokenId(created.getToken().getTokenId()).build());
        assertThat(access(server, AuthServerExtension.BOOTSTRAP_TOKEN).getCaller(GetCallerRequest.getDefaultInstance())
                .getCaller().getPrincipal()).isEqualTo("token:bootstrap");
    }

    @Test
    void aProjectAdminManagesTheTokensOfItsProjectOnly(TestServer server) {
        AccessServiceBlockingStub root = access(server, AuthServerExtension.BOOTSTRAP_TOKEN);
        CreateTokenResponse p1Admin = create(root, "p1-admin", "p1", Role.ROLE_ADMIN);
        Token p2Viewer = create(root, "p2-viewer", "p2", Role.ROLE_VIEWER).getToken();
        AccessServiceBlockingStub admin = access(server, p1Admin.getSecret());

        CreateTokenResponse p1Viewer = create(admin, "p1-viewer", "p1", Role.ROLE_VIEWER);
        assertThat(p1Viewer.getToken().getCreator()).isEqualTo("token:p1-admin");
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> create(admin, "x", "p2", Role.ROLE_VIEWER));
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> create(admin, "x", "*", Role.ROLE_VIEWER));
        assertThat(admin.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
                .extracting(Token::getName).containsExactly("p1-viewer", "p1-admin");
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> admin.listTokens(
                ListTokensRequest.newBuilder().setProject("p2").build()));
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> admin.revokeToken(
                RevokeTokenRequest.newBuilder().setTokenId(p2Viewer.getTokenId()).build()));
        // A viewer may not even list.
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> access(server, p1Viewer.getSecret())
                .listTokens(ListTokensRequest.getDefaultInstance()));

        admin.revokeToken(RevokeTokenRequest.newBuilder().setTokenId(p1Viewer.getToken().getTokenId()).build());

        // Revoked here: refused at once, saying which token.
        StatusRuntimeException revoked = assertReason(Code.UNAUTHENTICATED, "TOKEN_REVOKED",
                () -> access(server, p1Viewer.getSecret()).getCaller(GetCallerRequest.getDefaultInstance()));
        assertThat(errorInfo(revoked).orElseThrow().getMetadataMap())
                .containsEntry("token_id", p1Viewer.getToken().getTokenId());
        assertThat(root.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList()).extracting(Token::getName)
                .containsExactly("p2-viewer", "p1-admin", "bootstrap");
    }

    @Test
    void refusedTokensAreToldWhy(TestServer server) throws Exception {
        CreateTokenResponse created = create(access(server, AuthServerExtension.BOOTSTRAP_TOKEN), "old", "p1",
                Role.ROLE_EDITOR);
        long expiredMs = System.currentTimeMillis() - 60_000;
        try (Connection c = server.jdbc();
                PreparedStatement s = c.prepareStatement("UPDATE api_token SET expires_at = ? WHERE id = ?")) {
            s.setObject(1, java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(expiredMs),
                    java.time.ZoneOffset.UTC));
            s.setObject(2, UUID.fromString(created.getToken().getTokenId()));
            s.executeUpdate();
        }
        StatusRuntimeException expired = assertReason(Code.UNAUTHENTICATED, "CREDENTIALS_EXPIRED",
                () -> access(server, created.getSecret()).getCaller(GetCallerRequest.getDefaultInstance()));
        assertThat(errorInfo(expired).orElseThrow().getMetadataMap())
                .containsEntry("expire_time_ms", String.valueOf(expiredMs));

        String secret = AuthServerExtension.BOOTSTRAP_TOKEN;
        String badChecksum = secret.substring(0, secret.length() - 1) + (secret.endsWith("b") ? "c" : "b");
        assertThat(assertReason(Code.UNAUTHENTICATED, "CREDENTIALS_INVALID", () -> access(server, badChecksum)
                .getCaller(GetCallerRequest.getDefaultInstance())).getStatus().getDescription()).contains("malformed");
        assertThat(assertReason(Code.UNAUTHENTICATED, "CREDENTIALS_INVALID", () -> access(server,
                TokenSecrets.generate()).getCaller(GetCallerRequest.getDefaultInstance())).getStatus().getDescription())
                .contains("unknown");
    }

    @Test
    void aTokenRevokedByAnotherReplicaIsRefusedWithinSeconds(TestServer server) throws Exception {
        CreateTokenResponse created = create(access(server, AuthServerExtension.BOOTSTRAP_TOKEN), "ci", "p1",
                Role.ROLE_EDITOR);
        AccessServiceBlockingStub ci = access(server, created.getSecret());
        assertThat(ci.getCaller(GetCallerRequest.getDefaultInstance()).getCaller().getPrincipal()).isEqualTo("token:ci");

        long revokedAt;
        try (PostgresDatabase replica = PostgresDatabase.open(server.database(), 1)) {
            new TokenService(replica.accessStore(), new IdGenerator(Clock.systemUTC()), Clock.systemUTC(), id -> { })
                    .revoke(TestTokens.MINTER, UUID.fromString(created.getToken().getTokenId()));
            revokedAt = System.nanoTime();
        }
        long refusedAfterMs = -1;
        while (System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(10)) {
            try {
                ci.getCaller(GetCallerRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("TOKEN_REVOKED");
                refusedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
                break;
            }
            Thread.sleep(100);
        }
        assertThat(refusedAfterMs).as("ms until refused").isBetween(0L, 6_000L);
    }

    @Test
    void theAuditLogShowsEachAdminWhatHappenedInItsProjects(TestServer server) throws Exception {
        AccessServiceBlockingStub root = access(server, AuthServerExtension.BOOTSTRAP_TOKEN);
        String editor = create(root, "editor", "p1", Role.ROLE_EDITOR).getSecret();
        String viewer = create(root, "viewer", "p1", Role.ROLE_VIEWER).getSecret();
        String p1Admin = create(root, "p1-admin", "p1", Role.ROLE_ADMIN).getSecret();
        String p2Admin = create(root, "p2-admin", "p2", Role.ROLE_ADMIN).getSecret();
        String experimentId = TestTokens.as(server.experiments(), editor).createExperiment(CreateExperimentRequest
                .newBuilder().setProject("p1").setName("e").build()).getExperiment().getId();
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> TestTokens.as(server.experiments(), viewer)
                .deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(experimentId).build()));
        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();

        List<AuditEvent> p1Events = access(server, p1Admin).listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setProject("p1").build()).getEventsList();
        assertThat(p1Events).extracting(AuditEvent::getPrincipal, AuditEvent::getMethod, AuditEvent::getCode)
                .startsWith(
                        org.assertj.core.groups.Tuple.tuple("token:viewer",
                                "labbook.v1.ExperimentService/DeleteExperiment", "PERMISSION_DENIED"),
                        org.assertj.core.groups.Tuple.tuple("token:editor",
                                "labbook.v1.ExperimentService/CreateExperiment", "OK"));
        assertThat(p1Events.get(0).getTarget()).contains(experimentId);
        assertThat(p1Events.get(0).getPeer()).startsWith("127.0.0.1:");
        // The bootstrap token's token creations in p1 are there too; p2's admin sees none of it.
        assertThat(p1Events).extracting(AuditEvent::getPrincipal).contains("token:bootstrap");
        assertThat(access(server, p2Admin).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())
                .getEventsList()).extracting(AuditEvent::getProject).containsOnly("p2");
        assertReason(Code.PERMISSION_DENIED, "ROLE_MISSING", () -> access(server, p2Admin).listAuditEvents(
                ListAuditEventsRequest.newBuilder().setProject("p1").build()));
        assertThat(root.listAuditEvents(ListAuditEventsRequest.newBuilder().setPrincipal("token:viewer").build())
                .getEventsList()).extracting(AuditEvent::getCode).containsExactly("PERMISSION_DENIED");
    }
}
