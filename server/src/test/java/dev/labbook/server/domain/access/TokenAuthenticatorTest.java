package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.store.AccessStore;
import dev.labbook.server.store.AuditRepository;
import dev.labbook.server.store.TokenRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the token authenticator asks the database, and what it concludes, against an in-memory token table. */
class TokenAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    /** Tokens by hash; counts lookups. */
    private static final class MemoryStore implements AccessStore {
        final Map<String, ApiToken> byHash = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();

        String add(ApiToken token) {
            String secret = TokenSecrets.generate();
            byHash.put(HexFormat.of().formatHex(TokenSecrets.hash(secret)), token);
            return secret;
        }

        @Override
        public <T> T inTransaction(Function<AccessTransaction, T> work) {
            return work.apply(new AccessTransaction() {
                @Override
                public TokenRepository tokens() {
                    return new TokenRepository() {
                        @Override
                        public Optional<ApiToken> findByHash(byte[] secretHash) {
                            lookups.incrementAndGet();
                            return Optional.ofNullable(byHash.get(HexFormat.of().formatHex(secretHash)));
                        }

                        @Override
                        public void recordUse(Map<UUID, Instant> lastUse) {
                        }

                        @Override
                        public boolean insert(ApiToken token, byte[] secretHash) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public Optional<ApiToken> findById(UUID id) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public boolean any() {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public List<ApiToken> list(Collection<String> projects, Instant activeAt, UUID beforeId,
                                int limit) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public Optional<ApiToken> revoke(UUID id, Instant at) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public void lockBootstrap() {
                            throw new UnsupportedOperationException();
                        }
                    };
                }

                @Override
                public AuditRepository audit() {
                    throw new UnsupportedOperationException();
                }
            });
        }
    }

    private static ApiToken token(String name, Instant expiresAt, Instant revokedAt) {
        return new ApiToken(UUID.randomUUID(), name, "p1", Role.EDITOR, "lbk_abcd", "root", NOW.minusSeconds(60),
                expiresAt, revokedAt, null);
    }

    private static void assertRefused(ErrorReason reason, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(UnauthenticatedException.class)
                .satisfies(e -> assertThat(((UnauthenticatedException) e).reason()).isEqualTo(reason));
    }

    @Test
    void leavesOtherCredentialsAloneAndRefusesMalformedTokensWithoutALookup() throws Exception {
        MemoryStore store = new MemoryStore();
        try (TokenAuthenticator authenticator = new TokenAuthenticator(store, Clock.fixed(NOW, ZoneOffset.UTC))) {
            assertThat(authenticator.authenticate("eyJhbGciOiJSUzI1NiJ9.e30.sig")).isEmpty();
            assertThat(authenticator.authenticate("")).isEmpty();
            String secret = TokenSecrets.generate();
            String flipped = secret.substring(0, 20) + (secret.charAt(20) == 'a' ? 'b' : 'a') + secret.substring(21);
            assertRefused(ErrorReason.CREDENTIALS_INVALID, () -> authenticator.authenticate(flipped));
            assertRefused(ErrorReason.CREDENTIALS_INVALID, () -> authenticator.authenticate("lbk_short"));
            assertRefused(ErrorReason.CREDENTIALS_INVALID, () -> authenticator.authenticate(secret + " "));
            assertThat(store.lookups).hasValue(0);
        }
    }

    @Test
    void cachesWhatTheDatabaseSaidKnownOrNot() throws Exception {
        MemoryStore store = new MemoryStore();
        String known = store.add(token("ci", null, null));
        String unknown = TokenSecrets.generate();
        try (TokenAuthenticator authenticator = new TokenAuthenticator(store, Clock.fixed(NOW, ZoneOffset.UTC))) {
            for (int i = 0; i < 5; i++) {
                assertThat(authenticator.authenticate(known)).isPresent();
                assertRefused(ErrorReason.CREDENTIALS_INVALID, () -> authenticator.authenticate(unknown));
            }
            assertThat(store.lookups).hasValue(2);
        }
    }

    @Test
    void aValidTokenIsItsNamedPrincipalWithOneRole() throws Exception {
        MemoryStore store = new MemoryStore();
        ApiToken token = token("ci pipeline", NOW.plusSeconds(10), null);
        String secret = store.add(token);
        try (TokenAuthenticator authenticator = new TokenAuthenticator(store, Clock.fixed(NOW, ZoneOffset.UTC))) {
            Principal principal = authenticator.authenticate(secret).orElseThrow();

            assertThat(principal).isEqualTo(new Principal("token:ci pipeline", "token", Map.of("p1", Role.EDITOR),
                    Optional.of(NOW.plusSeconds(10)), Optional.of(token.id().toString())));
        }
    }

    @Test
    void expiryIsCheckedOnEveryCallAndRevocationComesFirst() throws Exception {
        MemoryStore store = new MemoryStore();
        ApiToken expiring = token("soon", NOW.plusMillis(1), null);
        String expiringSecret = store.add(expiring);
        ApiToken both = token("both", NOW.minusSeconds(1), NOW.minusSeconds(5));
        String bothSecret = store.add(both);
        Instant[] now = {NOW};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        try (TokenAuthenticator authenticator = new TokenAuthenticator(store, clock)) {
            assertThat(authenticator.authenticate(expiringSecret)).isPresent();
            now[0] = NOW.plusMillis(1);
            assertThatThrownBy(() -> authenticator.authenticate(expiringSecret))
                    .isInstanceOfSatisfying(UnauthenticatedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ErrorReason.CREDENTIALS_EXPIRED);
                        assertThat(e.metadata()).containsEntry("expire_time_ms",
                                String.valueOf(NOW.plusMillis(1).toEpochMilli()));
                        assertThat(e.getMessage()).contains("expired").contains(expiring.id().toString());
                    });
            assertThatThrownBy(() -> authenticator.authenticate(bothSecret))
                    .isInstanceOfSatisfying(UnauthenticatedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ErrorReason.TOKEN_REVOKED);
                        assertThat(e.metadata()).containsEntry("token_id", both.id().toString());
                    });
        }
    }
}
