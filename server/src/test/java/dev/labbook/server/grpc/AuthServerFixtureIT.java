package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.api.v1.Token;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.domain.access.TokenSecrets;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server with access control on that other tests build on: its bootstrap token is stored
 * once and survives the emptying of the tables before each test, minted tokens do not.
 */
@ExtendWith(AuthServerExtension.class)
class AuthServerFixtureIT {

    @Test
    void serverSaysAuthIsOn(TestServer server) {
        assertThat(ServerServiceGrpc.newBlockingStub(server.channel()).getServerInfo(
                GetServerInfoRequest.getDefaultInstance()).getServerInfo().getAuthEnabled()).isTrue();
        assertThat(TestTokens.as(server.access(), AuthServerExtension.BOOTSTRAP_TOKEN)
                .getCaller(GetCallerRequest.getDefaultInstance()).getCaller().getAuthEnabled()).isTrue();
    }

    @Test
    void bootstrapTokenIsStoredOnceAsAdminOfEveryProject(TestServer server) throws Exception {
        try (Connection c = server.jdbc(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, project, role, prefix, creator, revoked_at FROM api_token")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("name")).isEqualTo("bootstrap");
            assertThat(rs.getString("project")).isEqualTo("*");
            assertThat(rs.getString("role")).isEqualTo("admin");
            assertThat(rs.getString("prefix")).isEqualTo(TokenSecrets.displayPrefix(AuthServerExtension.BOOTSTRAP_TOKEN));
            assertThat(rs.getObject("revoked_at")).isNull();
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void mintedTokensAreGoneBeforeTheNextTestButTheBootstrapTokenStays(TestServer server) throws Exception {
        String secret = TestTokens.create(server, "p1", Role.EDITOR);
        assertThat(server.server().tokenAuthenticator().authenticate(secret)).isPresent();
        server.server().tokens().revoke(TestTokens.MINTER,
                server.server().tokenAuthenticator().authenticate(AuthServerExtension.BOOTSTRAP_TOKEN).orElseThrow()
                        .tokenId().map(java.util.UUID::fromString).orElseThrow());

        AuthServerExtension.truncate(server);

        assertThat(TestTokens.as(server.access(), AuthServerExtension.BOOTSTRAP_TOKEN).listTokens(ListTokensRequest.newBuilder().setShowInactive(true).build())
                .getTokensList()).extracting(Token::getName, Token::getRevokeTimeMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bootstrap", 0L));
        assertThat(server.server().tokenAuthenticator().authenticate(AuthServerExtension.BOOTSTRAP_TOKEN)).isPresent();
    }
}
