package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AccessServiceGrpc.AccessServiceBlockingStub;
import dev.labbook.api.v1.AuditEvent;
import dev.labbook.api.v1.Caller;
import dev.labbook.api.v1.CreateTokenRequest;
import dev.labbook.api.v1.CreateTokenResponse;
import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.api.v1.ListAuditEventsResponse;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.ListTokensResponse;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.api.v1.Role;
import dev.labbook.api.v1.RoleBinding;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.api.v1.Token;
import dev.labbook.server.domain.access.AuditEntry;
import dev.labbook.server.domain.access.TokenSecrets;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * AccessService over gRPC on a server with access control off, where every call is the anonymous
 * admin of every project: what each RPC stores and returns, and how it refuses bad requests.
 * (Which caller may do what: TokenServiceIT, AuditServiceIT; with real tokens: AccessServiceAuthIT.)
 */
@ExtendWith(LabbookServerExtension.class)
class AccessServiceIT {

    private static CreateTokenResponse create(TestServer server, String name, String project, Role role, long ttl) {
        return server.access().createToken(CreateTokenRequest.newBuilder().setName(name).setProject(project)
                .setRole(role).setTtlSeconds(ttl).build());
    }

    @Test
    void getCallerWithAccessControlOffIsTheAnonymousAdminOfEveryProject(TestServer server) {
        Caller caller = server.access().getCaller(GetCallerRequest.getDefaultInstance()).getCaller();

        assertThat(caller).isEqualTo(Caller.newBuilder().setPrincipal("anonymous").setMethod("none")
                .addRoles(RoleBinding.newBuilder().setProject("*").setRole(Role.ROLE_ADMIN)).build());
        assertThat(ServerServiceGrpc.newBlockingStub(server.channel()).getServerInfo(
                GetServerInfoRequest.getDefaultInstance()).getServerInfo().getAuthEnabled()).isFalse();
    }

    @Test
    void createTokenReturnsTheSecretOnceAndStoresOnlyItsHash(TestServer server) throws Exception {
        long before = System.currentTimeMillis();
        CreateTokenResponse created = create(server, "ci pipeline", "vision", Role.ROLE_EDITOR, 3600);
        long after = System.currentTimeMillis();

        String secret = created.getSecret();
        assertThat(TokenSecrets.looksLikeToken(secret)).as(secret).isTrue();
        Token token = created.getToken();
        assertThat(token.getName()).isEqualTo("ci pipeline");
        assertThat(token.getProject()).isEqualTo("vision");
        assertThat(token.getRole()).isEqualTo(Role.ROLE_EDITOR);
        assertThat(token.getPrefix()).isEqualTo(secret.substring(0, 8));
        assertThat(token.getCreator()).isEqualTo("anonymous");
        assertThat(token.getCreateTimeMs()).isBetween(before, after);
        assertThat(token.getExpireTimeMs()).isEqualTo(token.getCreateTimeMs() + 3_600_000);
        assertThat(token.getRevokeTimeMs()).isZero();
        assertThat(token.getLastUseTimeMs()).isZero();
        assertThat(java.util.UUID.fromString(token.getTokenId()).version()).isEqualTo(7);

        try (Connection c = server.jdbc();
                PreparedStatement s = c.prepareStatement("SELECT * FROM api_token WHERE id = ?::uuid")) {
            s.setString(1, token.getTokenId());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("secret_hash")).isEqualTo(HexFormat.of().formatHex(TokenSecrets.hash(secret)));
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain(secret.substring(8));
                }
            }
        }
        // Listings never show it again.
        assertThat(server.access().listTokens(ListTokensRequest.getDefaultInstance()).toString())
                .doesNotContain(secret.substring(8));
    }

    @Test
    void createTokenDefaultsAndEveryProject(TestServer server) {
        Token inDefault = create(server, "d", "", Role.ROLE_VIEWER, 0).getToken();
        Token everywhere = create(server, "all", "*", Role.ROLE_ADMIN, 0).getToken();

        assertThat(inDefault.getProject()).isEqualTo("default");
        assertThat(inDefault.getExpireTimeMs()).isZero();
        assertThat(everywhere.getProject()).isEqualTo("*");
        assertThat(everywhere.getRole()).isEqualTo(Role.ROLE_ADMIN);
    }

    @Test
    void createTokenRefusesBadFieldsNamingThem(TestServer server) {
        assertInvalidField("name", () -> create(server, "", "p", Role.ROLE_VIEWER, 0));
        assertInvalidField("name", () -> create(server, "x".repeat(129), "p", Role.ROLE_VIEWER, 0));
        assertInvalidField("name", () -> create(server, " padded", "p", Role.ROLE_VIEWER, 0));
        assertInvalidField("name", () -> create(server, "line\nbreak", "p", Role.ROLE_VIEWER, 0));
        assertInvalidField("project", () -> create(server, "n", "no spaces", Role.ROLE_VIEWER, 0));
        assertInvalidField("project", () -> create(server, "n", "**", Role.ROLE_VIEWER, 0));
        assertInvalidField("role", () -> create(server, "n", "p", Role.ROLE_UNSPECIFIED, 0));
        assertInvalidField("role", () -> server.access().createToken(CreateTokenRequest.newBuilder().setName("n")
                .setRoleValue(42).build()));
        assertInvalidField("ttl_seconds", () -> create(server, "n", "p", Role.ROLE_VIEWER, -1));
        assertInvalidField("ttl_seconds", () -> create(server, "n", "p", Role.ROLE_VIEWER, Long.MAX_VALUE));

        assertThat(create(server, "x".repeat(128), "p", Role.ROLE_VIEWER, 0).getToken().getName()).hasSize(128);
        assertThat(server.access().listTokens(ListTokensRequest.getDefaultInstance()).getTokensCount()).isOne();
    }

    @Test
    void listTokensNewestFirstInPagesFilteredByProjectAndActivity(TestServer server) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String project : List.of("a", "b", "a", "*", "a")) {
            ids.add(create(server, "t" + ids.size(), project, Role.ROLE_VIEWER, 0).getToken().getTokenId());
        }
        server.access().revokeToken(RevokeTokenRequest.newBuilder().setTokenId(ids.get(2)).build());
        try (Connection c = server.jdbc();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = ?::uuid")) {
            s.setString(1, ids.get(4));
            s.executeUpdate();
        }

        assertThat(names(server, ListTokensRequest.newBuilder().setShowInactive(true), 2))
                .containsExactly("t4", "t3", "t2", "t1", "t0");
        assertThat(names(server, ListTokensRequest.newBuilder(), 2)).containsExactly("t3", "t1", "t0");
        assertThat(names(server, ListTokensRequest.newBuilder().setProject("a").setShowInactive(true), 1))
                .containsExactly("t4", "t2", "t0");
        assertThat(names(server, ListTokensRequest.newBuilder().setProject("a"), 100)).containsExactly("t0");
        assertThat(names(server, ListTokensRequest.newBuilder().setProject("*"), 100)).containsExactly("t3");

        String pageToken = server.access().listTokens(ListTokensRequest.newBuilder().setPageSize(1).build())
                .getNextPageToken();
        assertThat(pageToken).isNotEmpty();
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.access().listTokens(
                ListTokensRequest.newBuilder().setPageSize(1).setProject("a").setPageToken(pageToken).build()));
        assertInvalidField("page_size", () -> server.access().listTokens(
                ListTokensRequest.newBuilder().setPageSize(1001).build()));
        assertInvalidField("project", () -> server.access().listTokens(
                ListTokensRequest.newBuilder().setProject("a b").build()));
    }

    private static List<String> names(TestServer server, ListTokensRequest.Builder request, int pageSize) {
        List<String> names = new ArrayList<>();
        String pageToken = "";
        do {
            ListTokensResponse page = server.access().listTokens(request.setPageSize(pageSize)
                    .setPageToken(pageToken).build());
            assertThat(page.getTokensCount()).isLessThanOrEqualTo(pageSize);
            page.getTokensList().forEach(token -> names.add(token.getName()));
            pageToken = page.getNextPageToken();
        } while (!pageToken.isEmpty());
        return names;
    }

    @Test
    void revokeTokenIsIdempotent(TestServer server) {
        Token token = create(server, "r", "p", Role.ROLE_ADMIN, 0).getToken();
        AccessServiceBlockingStub access = server.access();

        Token revoked = access.revokeToken(RevokeTokenRequest.newBuilder().setTokenId(token.getTokenId()).build())
                .getToken();
        Token again = access.revokeToken(RevokeTokenRequest.newBuilder().setTokenId(token.getTokenId()).build())
                .getToken();

        assertThat(revoked.getRevokeTimeMs()).isPositive();
        assertThat(again).isEqualTo(revoked);
        assertThat(revoked.toBuilder().setRevokeTimeMs(0).build()).isEqualTo(token);
    }

    @Test
    void revokeTokenRefusesUnknownAndMalformedIds(TestServer server) {
        assertReason(Code.NOT_FOUND, "TOKEN_NOT_FOUND", () -> server.access().revokeToken(
                RevokeTokenRequest.newBuilder().setTokenId("0190f0c2-3b4a-7d5e-8f60-123456789abc").build()));
        assertInvalidField("token_id", () -> server.access().revokeToken(
                RevokeTokenRequest.newBuilder().setTokenId("lbk_not-an-id").build()));
        assertInvalidField("token_id", () -> server.access().revokeToken(RevokeTokenRequest.getDefaultInstance()));
    }

    @Test
    void listAuditEventsNewestFirstFilteredByProjectAndPrincipal(TestServer server) throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String[][] rows = {{"alice", "p1"}, {"bob", "p2"}, {"alice", "p2"}, {"bob", ""}, {"alice", "p1"}};
        for (int i = 0; i < rows.length; i++) {
            server.server().auditWriter().record(new AuditEntry(t0.plusSeconds(i), rows[i][0],
                    "labbook.v1.RunService/DeleteRun", rows[i][1], "run_id=r" + i, i == 1 ? "PERMISSION_DENIED" : "OK",
                    "127.0.0.1:4000" + i));
        }
        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();

        List<AuditEvent> all = events(server, ListAuditEventsRequest.newBuilder(), 2);
        assertThat(all).extracting(AuditEvent::getTarget)
                .containsExactly("run_id=r4", "run_id=r3", "run_id=r2", "run_id=r1", "run_id=r0");
        AuditEvent denied = all.get(3);
        assertThat(denied).isEqualTo(AuditEvent.newBuilder().setEventId(denied.getEventId())
                .setTimeMs(t0.plusSeconds(1).toEpochMilli()).setPrincipal("bob")
                .setMethod("labbook.v1.RunService/DeleteRun").setProject("p2").setTarget("run_id=r1")
                .setCode("PERMISSION_DENIED").setPeer("127.0.0.1:40001").build());
        assertThat(all).extracting(AuditEvent::getEventId).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        assertThat(events(server, ListAuditEventsRequest.newBuilder().setProject("p1"), 1))
                .extracting(AuditEvent::getTarget).containsExactly("run_id=r4", "run_id=r0");
        assertThat(events(server, ListAuditEventsRequest.newBuilder().setPrincipal("bob"), 100))
                .extracting(AuditEvent::getTarget).containsExactly("run_id=r3", "run_id=r1");
        assertThat(events(server, ListAuditEventsRequest.newBuilder().setProject("p2").setPrincipal("alice"), 100))
                .extracting(AuditEvent::getTarget).containsExactly("run_id=r2");

        String pageToken = server.access().listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(1).build())
                .getNextPageToken();
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> server.access().listAuditEvents(
                ListAuditEventsRequest.newBuilder().setPageSize(1).setPrincipal("bob").setPageToken(pageToken).build()));
        assertInvalidField("project", () -> server.access().listAuditEvents(
                ListAuditEventsRequest.newBuilder().setProject("a/b").build()));
        assertInvalidField("page_size", () -> server.access().listAuditEvents(
                ListAuditEventsRequest.newBuilder().setPageSize(-1).build()));
    }

    private static List<AuditEvent> events(TestServer server, ListAuditEventsRequest.Builder request, int pageSize) {
        List<AuditEvent> events = new ArrayList<>();
        String pageToken = "";
        do {
            ListAuditEventsResponse page = server.access().listAuditEvents(request.setPageSize(pageSize)
                    .setPageToken(pageToken).build());
            assertThat(page.getEventsCount()).isLessThanOrEqualTo(pageSize);
            // Once calls are audited, these listings are too (as the anonymous caller): leave them out.
            page.getEventsList().stream().filter(e -> !e.getPrincipal().equals("anonymous")).forEach(events::add);
            pageToken = page.getNextPageToken();
        } while (!pageToken.isEmpty());
        return events;
    }
}
