package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's token authenticator against tokens stored in PostgreSQL, including revocations by another replica. */
@ExtendWith(LabbookServerExtension.class)
class TokenAuthenticatorIT {

    private static TokenAuthenticator authenticator(TestServer server) {
        return server.server().tokenAuthenticator();
    }

    private static NewToken create(TestServer server, String project, Role role, long ttl) {
        return server.server().tokens().create(TestTokens.MINTER, "t-" + UUID.randomUUID(), project, role, ttl);
    }

    private static UnauthenticatedException refusal(TestServer server, String secret) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> authenticator(server).authenticate(secret));
        assertThat(thrown).as("refusal of %s", secret).isInstanceOf(UnauthenticatedException.class);
        return (UnauthenticatedException) thrown;
    }

    @Test
    void aStoredTokenAuthenticatesAsItsPrincipal(TestServer server) {
        NewToken created = create(server, "vision", Role.VIEWER, 3600);

        Principal principal = authenticator(server).authenticate(created.secret()).orElseThrow();

        assertThat(principal.name()).isEqualTo("token:" + created.token().name());
        assertThat(principal.method()).isEqualTo("token");
        assertThat(principal.roles()).isEqualTo(Map.of("vision", Role.VIEWER));
        assertThat(principal.expiresAt()).contains(created.token().expiresAt());
        assertThat(principal.tokenId()).contains(created.token().id().toString());
    }

    @Test
    void unknownMalformedAndOtherCredentialsAreTold(TestServer server) {
        assertThat(refusal(server, TokenSecrets.generate()).reason()).isEqualTo(ErrorReason.CREDENTIALS_INVALID);
        String secret = create(server, "p", Role.ADMIN, 0).secret();
        UnauthenticatedException malformed = refusal(server, secret.substring(0, 41));
        assertThat(malformed.reason()).isEqualTo(ErrorReason.CREDENTIALS_INVALID);
        assertThat(malformed.getMessage()).contains("malformed");
        assertThat(authenticator(server).authenticate("not-a-token")).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefusedWithItsExpiry(TestServer server) throws Exception {
        NewToken created = create(server, "p", Role.EDITOR, 60);
        long expiredMs;
        try (Connection c = server.jdbc(); PreparedStatement s = c.prepareStatement(
                "UPDATE api_token SET expires_at = now() - interval '1 minute' WHERE id = ? RETURNING expires_at")) {
            s.setObject(1, created.token().id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                expiredMs = rs.getTimestamp(1).getTime();
            }
        }

        UnauthenticatedException e = refusal(server, created.secret());
        assertThat(e.reason()).isEqualTo(ErrorReason.CREDENTIALS_EXPIRED);
        assertThat(e.metadata()).containsEntry("expire_time_ms", String.valueOf(expiredMs));
    }

    @Test
    void aTokenRevokedOnThisReplicaIsRefusedAtOnce(TestServer server) {
        NewToken created = create(server, "p", Role.EDITOR, 0);
        assertThat(authenticator(server).authenticate(created.secret())).isPresent();

        server.server().tokens().revoke(TestTokens.MINTER, created.token().id());

        UnauthenticatedException e = refusal(server, created.secret());
        assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED);
        assertThat(e.metadata()).containsEntry("token_id", created.token().id().toString());
    }

    @Test
    void aTokenRevokedOnAnotherReplicaIsRefusedWithinTheCacheLifetime(TestServer server) throws Exception {
        NewToken created = create(server, "p", Role.EDITOR, 0);
        assertThat(authenticator(server).authenticate(created.secret())).isPresent();

        long revokedAt;
        try (PostgresDatabase otherReplica = PostgresDatabase.open(server.database(), 1)) {
            TokenService other = new TokenService(otherReplica.accessStore(), new IdGenerator(Clock.systemUTC()),
                    Clock.systemUTC(), id -> { });
            other.revoke(TestTokens.MINTER, created.token().id());
            revokedAt = System.nanoTime();
        }
        long refusedAfterMs = -1;
        while (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - revokedAt) < 10) {
            try {
                authenticator(server).authenticate(created.secret());
            } catch (UnauthenticatedException e) {
                assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED);
                refusedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
                break;
            }
            Thread.sleep(50);
        }
        assertThat(refusedAfterMs).as("ms until refused").isBetween(0L,
                TokenAuthenticator.CACHE_TTL.toMillis() + 500);
    }

    @Test
    void lastUseIsRecordedOffTheCallPathAtMostOnceAMinute(TestServer server) throws Exception {
        NewToken created = create(server, "p", Role.EDITOR, 0);
        authenticator(server).authenticate(created.secret());

        Timestamp first = null;
        for (int i = 0; i < 100 && first == null; i++) {
            Thread.sleep(50);
            first = lastUsed(server, created.token().id());
        }
        assertThat(first).as("last_used_at written").isNotNull();
        Thread.sleep(10);
        authenticator(server).authenticate(created.secret());
        Thread.sleep(300);
        assertThat(lastUsed(server, created.token().id())).isEqualTo(first);
        assertThat(server.server().tokens().list(TestTokens.MINTER, "p", false, 0, "").items().get(0).lastUsedAt())
                .isEqualTo(first.toInstant());
    }

    private static Timestamp lastUsed(TestServer server, UUID id) throws Exception {
        try (Connection c = server.jdbc();
                PreparedStatement s = c.prepareStatement("SELECT last_used_at FROM api_token WHERE id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1);
            }
        }
    }
}
