package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.access.jwt.HttpFetcher;
import dev.labbook.server.domain.access.jwt.IssuerKeys;
import dev.labbook.server.domain.access.jwt.JwksUrlSource;
import dev.labbook.server.testing.JwtTestIssuer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class JwtAuthenticatorTest {
    private static final String K8S = "https://kubernetes.default.svc.cluster.local";
    private static final String IDP = "https://idp.example.test";
    private static final List<AuthConfig.JwtRoleBinding> ROLES = List.of(
            new AuthConfig.JwtRoleBinding("ml/trainer", "vision", "editor"),
            new AuthConfig.JwtRoleBinding("ml/*", "vision", "viewer"),
            new AuthConfig.JwtRoleBinding("ml/*", "default", "viewer"),
            new AuthConfig.JwtRoleBinding("alice@example.com", "*", "admin"),
            new AuthConfig.JwtRoleBinding("ml-ops/deployer", "nlp", "admin"),
            new AuthConfig.JwtRoleBinding("oidc:team/lead@example.com", "nlp", "editor"));

    private static JwtTestIssuer k8s;
    private static JwtTestIssuer idp;
    /** The Kubernetes issuer after a key rotation: other keys, other kids. */
    private static JwtTestIssuer rotated;

    @TempDir
    Path dir;
    /** What IssuerKeys logs: the reasons that the callers are not told. */
    private final ListAppender<ILoggingEvent> keyLog = new ListAppender<>();
    private final SettableClock clock = new SettableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

    @BeforeAll
    static void keys() {
        k8s = new JwtTestIssuer(K8S);
        idp = new JwtTestIssuer(IDP, "idp-rsa", "idp-ec");
        rotated = new JwtTestIssuer(K8S, "rsa-2", "ec-2");
    }

    @BeforeEach
    void captureKeyLog() {
        keyLog.start();
        ((Logger) LoggerFactory.getLogger(IssuerKeys.class)).addAppender(keyLog);
    }

    @AfterEach
    void releaseKeyLog() {
        ((Logger) LoggerFactory.getLogger(IssuerKeys.class)).detachAppender(keyLog);
    }

    private List<String> keyWarnings() {
        return keyLog.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private Instant now() {
        return clock.instant();
    }

    /** An authenticator of the Kubernetes issuer (JWKS file) and the IdP (JWKS file). */
    private JwtAuthenticator fileAuthenticator() {
        Path k8sKeys = k8s.writeJwks(dir.resolve("k8s-jwks.json"));
        Path idpKeys = idp.writeJwks(dir.resolve("idp-jwks.json"));
        return authenticator(List.of(new AuthConfig.JwtIssuer(K8S, Optional.of(k8sKeys.toString())),
                new AuthConfig.JwtIssuer(IDP, Optional.of(idpKeys.toString()))));
    }

    private JwtAuthenticator authenticator(List<AuthConfig.JwtIssuer> issuers) {
        AuthConfig config = AuthConfig.tokens(Optional.empty()).withJwt(issuers, "labbook", ROLES);
        return JwtAuthenticator.from(config, clock).orElseThrow();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(JwtAuthenticator auth, String token,
            String detail) {
        return assertThatThrownBy(() -> auth.authenticate(token))
                .isInstanceOf(UnauthenticatedException.class)
                .satisfies(e -> {
                    UnauthenticatedException u = (UnauthenticatedException) e;
                    assertThat(u.reason()).isEqualTo(ErrorReason.CREDENTIALS_INVALID);
                    assertThat(u.metadata()).containsEntry("detail", detail);
                    // never echoes the token or any of its segments
                    for (String segment : token.split("\\.")) {
                        if (segment.length() > 8) {
                            assertThat(u.getMessage()).doesNotContain(segment);
                            assertThat(u.metadata().values()).noneMatch(v -> v.contains(segment));
                        }
                    }
                });
    }

    @Test
    void noIssuersNoAuthenticator() {
        assertThat(JwtAuthenticator.from(AuthConfig.tokens(Optional.empty()), clock)).isEmpty();
    }

    @Nested
    class Accepted {
        @Test
        void serviceAccountTokenSignedWithRs256() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now());
            Principal p = auth.authenticate(k8s.rs256(claims)).orElseThrow();

            assertThat(p.name()).isEqualTo("ml/trainer");
            assertThat(p.method()).isEqualTo("jwt");
            assertThat(p.tokenId()).isEmpty();
            assertThat(p.expiresAt()).contains(now().plus(Duration.ofHours(1)));
            // the highest role per project among the matching bindings (ml/trainer and ml/*)
            assertThat(p.roles()).isEqualTo(Map.of("vision", Role.EDITOR, "default", Role.VIEWER));
        }

        @Test
        void serviceAccountTokenSignedWithEs256() {
            JwtAuthenticator auth = fileAuthenticator();
            Principal p = auth.authenticate(k8s.es256(k8s.serviceAccount("ml", "eval", now()))).orElseThrow();
            assertThat(p.name()).isEqualTo("ml/eval");
            assertThat(p.roles()).isEqualTo(Map.of("vision", Role.VIEWER, "default", Role.VIEWER));
        }

        @Test
        void ps256IsAcceptedToo() {
            JwtAuthenticator auth = fileAuthenticator();
            String token = JwtTestIssuer.sign(k8s.rsa(), JWSAlgorithm.PS256, k8s.serviceAccount("ml", "trainer", now())
                    .build());
            assertThat(auth.authenticate(token)).isPresent();
        }

        @Test
        void serviceAccountFromTheSubjectAlone() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml-ops", "deployer", now()).claim("kubernetes.io", null);
            Principal p = auth.authenticate(k8s.rs256(claims)).orElseThrow();
            assertThat(p.name()).isEqualTo("ml-ops/deployer");
            assertThat(p.roles()).isEqualTo(Map.of("nlp", Role.ADMIN));
        }

        @Test
        void aServiceAccountWithoutBindingAuthenticatesWithoutRoles() {
            JwtAuthenticator auth = fileAuthenticator();
            Principal p = auth.authenticate(k8s.rs256(k8s.serviceAccount("other", "job", now()))).orElseThrow();
            assertThat(p.name()).isEqualTo("other/job");
            assertThat(p.roles()).isEmpty();
            assertThat(p.canSomewhere(Permission.READ)).isFalse();
        }

        @Test
        void wildcardBindingsDoNotMatchANamespaceThatOnlyStartsTheSame() {
            JwtAuthenticator auth = fileAuthenticator();
            // ml/* must not match ml-ops/...: ml-ops/deployer gets only its own binding
            Principal p = auth.authenticate(k8s.rs256(k8s.serviceAccount("ml-ops", "trainer", now()))).orElseThrow();
            assertThat(p.roles()).isEmpty();
        }

        @Test
        void oidcTokenWithVerifiedEmailIsTheEmail() {
            JwtAuthenticator auth = fileAuthenticator();
            Principal p = auth.authenticate(idp.rs256(idp.person("0012345", "alice@example.com", true, now())))
                    .orElseThrow();
            assertThat(p.name()).isEqualTo("alice@example.com");
            assertThat(p.roles()).isEqualTo(Map.of("*", Role.ADMIN));
            assertThat(p.can(Permission.PURGE, "anything")).isTrue();
        }

        @Test
        void oidcTokenWithUnverifiedEmailIsTheSubject() {
            JwtAuthenticator auth = fileAuthenticator();
            Principal p = auth.authenticate(idp.es256(idp.person("0012345", "alice@example.com", false, now())))
                    .orElseThrow();
            assertThat(p.name()).isEqualTo("0012345");
            assertThat(p.roles()).isEmpty();
        }

        @Test
        void oidcNamesThatLookLikeAServiceAccountOrAnApiTokenArePrefixed() {
            JwtAuthenticator auth = fileAuthenticator();
            // a verified email with a slash is not ServiceAccount x of namespace ml: ml/* does not apply
            Principal slash = auth.authenticate(idp.rs256(idp.person("0012345", "ml/x@evil.example", true, now())))
                    .orElseThrow();
            assertThat(slash.name()).isEqualTo("oidc:ml/x@evil.example");
            assertThat(slash.roles()).isEmpty();
            // nor is a subject token:bootstrap the bootstrap API token in the audit log and as creator
            Principal token = auth.authenticate(idp.es256(idp.person("token:bootstrap", null, false, now())))
                    .orElseThrow();
            assertThat(token.name()).isEqualTo("oidc:token:bootstrap");
            // the prefixed name is what a binding names
            Principal lead = auth.authenticate(idp.rs256(idp.person("77", "team/lead@example.com", true, now())))
                    .orElseThrow();
            assertThat(lead.name()).isEqualTo("oidc:team/lead@example.com");
            assertThat(lead.roles()).isEqualTo(Map.of("nlp", Role.EDITOR));
        }

        @Test
        void aKubernetesClaimWithoutAServiceAccountSubjectMakesNoServiceAccount() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = idp.person("0012345", null, false, now())
                    .claim("kubernetes.io", Map.of("namespace", "ml", "serviceaccount", Map.of("name", "trainer")));
            Principal p = auth.authenticate(idp.rs256(claims)).orElseThrow();
            assertThat(p.name()).isEqualTo("0012345");
            assertThat(p.roles()).isEmpty();
        }

        @Test
        void anIssuerIsTrustedForEveryNameItMints() {
            // documented (docs/security.md): configure only issuers you trust to mint every name you bind
            JwtAuthenticator auth = fileAuthenticator();
            Principal p = auth.authenticate(idp.rs256(idp.person("system:serviceaccount:ml:trainer", null, false,
                    now()))).orElseThrow();
            assertThat(p.name()).isEqualTo("ml/trainer");
            assertThat(p.roles()).containsEntry("vision", Role.EDITOR);
        }

        @Test
        void expiredButWithinTheClockSkew() {
            JwtAuthenticator auth = fileAuthenticator();
            Instant issued = now().minus(Duration.ofMinutes(10));
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", issued)
                    .expirationTime(Date.from(now().minusSeconds(50)));
            assertThat(auth.authenticate(k8s.rs256(claims))).isPresent();
        }

        @Test
        void notBeforeWithinTheClockSkew() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now())
                    .notBeforeTime(Date.from(now().plusSeconds(50)))
                    .issueTime(Date.from(now().plusSeconds(50)));
            assertThat(auth.authenticate(k8s.rs256(claims))).isPresent();
        }

        @Test
        void audienceAmongSeveral() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now())
                    .audience(List.of("https://kubernetes.default.svc", "labbook"));
            assertThat(auth.authenticate(k8s.rs256(claims))).isPresent();
        }
    }

    @Nested
    class NotAJwt {
        @Test
        void apiTokensAndOtherFormsAreLeftToOtherAuthenticators() {
            JwtAuthenticator auth = fileAuthenticator();
            assertThat(auth.authenticate("lbk_3x9GkQ2mZr7TqWv8yN4pL1sD6fH0jKcB5aE2uR")).isEmpty();
            assertThat(auth.authenticate("lbk_a.b.c")).isEmpty();
            assertThat(auth.authenticate("not a jwt")).isEmpty();
            assertThat(auth.authenticate("only.two")).isEmpty();
            assertThat(auth.authenticate("a.b.c.d.e")).isEmpty();
            assertThat(auth.authenticate("a..c")).isEmpty();
            assertThat(auth.authenticate("")).isEmpty();
        }
    }

    @Nested
    class Refused {
        @Test
        void unknownIssuer() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now()).issuer("https://evil.example.test");
            assertRefused(auth, k8s.rs256(claims), "issuer_unknown")
                    .hasMessageContaining("https://evil.example.test");
        }

        @Test
        void issuerMustMatchExactly() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now()).issuer(K8S + "/")),
                    "issuer_unknown");
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now()).issuer(null)), "issuer_unknown");
        }

        @Test
        void tokenOfOneIssuerSignedByTheOther() {
            JwtAuthenticator auth = fileAuthenticator();
            // the IdP's key, but the Kubernetes issuer: no such kid among the Kubernetes keys
            String token = JwtTestIssuer.sign(idp.rsa(), JWSAlgorithm.RS256, k8s.serviceAccount("ml", "trainer", now())
                    .build());
            assertRefused(auth, token, "kid_unknown");
        }

        @Test
        void wrongAudience() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now())
                    .audience("https://kubernetes.default.svc")), "audience_wrong");
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now()).audience((String) null)),
                    "audience_wrong");
        }

        @Test
        void expired() {
            JwtAuthenticator auth = fileAuthenticator();
            Instant exp = now().minusSeconds(61);
            String token = k8s.rs256(k8s.serviceAccount("ml", "trainer", now().minus(Duration.ofHours(1)))
                    .expirationTime(Date.from(exp)));
            assertThatThrownBy(() -> auth.authenticate(token))
                    .isInstanceOf(UnauthenticatedException.class)
                    .satisfies(e -> {
                        UnauthenticatedException u = (UnauthenticatedException) e;
                        assertThat(u.reason()).isEqualTo(ErrorReason.CREDENTIALS_EXPIRED);
                        assertThat(u.metadata()).containsEntry("expire_time_ms", String.valueOf(exp.toEpochMilli()));
                    });
        }

        @Test
        void expiryIsRequired() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now()).expirationTime(null)),
                    "exp_missing");
        }

        @Test
        void notBeforeInTheFuture() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now())
                    .notBeforeTime(Date.from(now().plusSeconds(120)))), "not_yet_valid");
        }

        @Test
        void issuedInTheFuture() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, k8s.rs256(k8s.serviceAccount("ml", "trainer", now())
                    .notBeforeTime(null).issueTime(Date.from(now().plusSeconds(120)))), "issued_in_future");
        }

        @Test
        void wrongKeyWithTheRightKid() {
            JwtAuthenticator auth = fileAuthenticator();
            RSAKey impostor = JwtTestIssuer.newRsa(k8s.rsa().getKeyID());
            String token = JwtTestIssuer.sign(impostor, JWSAlgorithm.RS256, k8s.serviceAccount("ml", "trainer", now())
                    .build());
            assertRefused(auth, token, "signature_invalid");
        }

        @Test
        void wrongEcKeyWithTheRightKid() {
            JwtAuthenticator auth = fileAuthenticator();
            String token = JwtTestIssuer.sign(JwtTestIssuer.newEc(k8s.ec().getKeyID()), JWSAlgorithm.ES256,
                    k8s.serviceAccount("ml", "trainer", now()).build());
            assertRefused(auth, token, "signature_invalid");
        }

        @Test
        void tamperedClaims() {
            JwtAuthenticator auth = fileAuthenticator();
            String[] parts = k8s.rs256(k8s.serviceAccount("ml", "trainer", now())).split("\\.");
            String forged = Base64URL.encode(k8s.serviceAccount("ml", "admin", now()).build().toString()).toString();
            assertRefused(auth, parts[0] + "." + forged + "." + parts[2], "signature_invalid");
        }

        @Test
        void unknownKid() {
            JwtAuthenticator auth = fileAuthenticator();
            String token = JwtTestIssuer.sign(JwtTestIssuer.newRsa("rsa-unknown"), JWSAlgorithm.RS256,
                    k8s.serviceAccount("ml", "trainer", now()).build());
            assertRefused(auth, token, "kid_unknown").hasMessageContaining("rsa-unknown");
        }

        @Test
        void algNone() {
            JwtAuthenticator auth = fileAuthenticator();
            String payload = Base64URL.encode(k8s.serviceAccount("ml", "trainer", now()).build().toString()).toString();
            for (String header : List.of("{\"alg\":\"none\"}", "{\"alg\":\"none\",\"kid\":\"rsa-1\",\"typ\":\"JWT\"}")) {
                String token = Base64URL.encode(header).toString() + "." + payload + ".";
                assertRefused(auth, token, "alg_none");
            }
            // the usual bypass spellings are not "none" to the parser, and not an accepted algorithm either
            for (String alg : List.of("None", "NONE", "nOnE")) {
                String token = Base64URL.encode("{\"alg\":\"" + alg + "\"}").toString() + "." + payload + ".";
                assertRefused(auth, token, "malformed");
                assertRefused(auth, token + "c2lnbmF0dXJl", "alg_unsupported");
            }
            // a real signature appended to an alg:none header changes nothing
            String signature = k8s.rs256(k8s.serviceAccount("ml", "trainer", now())).split("\\.")[2];
            assertRefused(auth, Base64URL.encode("{\"alg\":\"none\"}") + "." + payload + "." + signature, "malformed");
        }

        @Test
        void hmacSignedWithThePublicKey() throws JOSEException {
            JwtAuthenticator auth = fileAuthenticator();
            // the key-confusion attack: HS256 with the issuer's public key (which anyone can fetch) as the secret
            for (byte[] secret : List.of(k8s.rsa().toRSAPublicKey().getEncoded(),
                    k8s.rsa().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
                for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS512)) {
                    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID("rsa-1").build(),
                            k8s.serviceAccount("ml", "trainer", now()).build());
                    jwt.sign(new MACSigner(secret));
                    assertRefused(auth, jwt.serialize(), "alg_hmac");
                }
            }
        }

        @Test
        void garbage() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, "a.b.c", "malformed");
            assertRefused(auth, "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl", "malformed");
            String header = Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}").toString();
            assertRefused(auth, header + "." + Base64URL.encode("[1,2]") + ".c2ln", "malformed");
            assertRefused(auth, header + "." + Base64URL.encode("{\"exp\":\"tomorrow\"}") + ".c2ln", "malformed");
            String tooLong = header + "." + "A".repeat(JwtAuthenticator.MAX_LENGTH) + ".c2ln";
            assertRefused(auth, tooLong, "malformed");
        }

        @Test
        void serviceAccountClaimThatDisagreesWithTheSubject() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now())
                    .claim("kubernetes.io", Map.of("namespace", "ml/../x", "serviceaccount", Map.of("name", "trainer")));
            assertRefused(auth, k8s.rs256(claims), "subject_mismatch");
            JWTClaimsSet.Builder other = k8s.serviceAccount("ml", "trainer", now())
                    .claim("kubernetes.io", Map.of("namespace", "ml", "serviceaccount", Map.of("name", "admin")));
            assertRefused(auth, k8s.rs256(other), "subject_mismatch");
        }

        @Test
        void serviceAccountSubjectWithAMalformedName() {
            JwtAuthenticator auth = fileAuthenticator();
            JWTClaimsSet.Builder claims = k8s.serviceAccount("ml", "trainer", now())
                    .subject("system:serviceaccount:ml/..:trainer").claim("kubernetes.io", null);
            assertRefused(auth, k8s.rs256(claims), "subject_malformed");
        }

        @Test
        void oidcTokenWithoutSubject() {
            JwtAuthenticator auth = fileAuthenticator();
            assertRefused(auth, idp.rs256(idp.person(null, "bob@example.com", false, now())), "subject_missing");
        }
    }

    @Nested
    class Keys {
        @Test
        void jwksFileRotationIsPickedUp() throws IOException {
            Path live = dir.resolve("jwks.json");
            Files.writeString(live, k8s.jwks());
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(K8S, Optional.of(live.toString()))));
            String oldToken = k8s.rs256(k8s.serviceAccount("ml", "trainer", now()));
            assertThat(auth.authenticate(oldToken)).isPresent();

            // rewritten in place, as an edit would
            Files.writeString(live, rotated.jwks());
            assertThat(auth.authenticate(rotated.rs256(rotated.serviceAccount("ml", "trainer", now())))).isPresent();
            // the old key is gone (a token not verified before: verified ones stay cached up to 60 s)
            assertRefused(auth, k8s.es256(k8s.serviceAccount("ml", "trainer", now())), "kid_unknown");
        }

        @Test
        void configMapStyleSymlinkSwapIsPickedUp() throws IOException {
            // kubelet updates a mounted ConfigMap by pointing ..data at a new directory
            Path v1 = Files.createDirectory(dir.resolve("..2026_01_01_v1"));
            Path v2 = Files.createDirectory(dir.resolve("..2026_01_02_v2"));
            k8s.writeJwks(v1.resolve("jwks.json"));
            rotated.writeJwks(v2.resolve("jwks.json"));
            Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
            Path file = Files.createSymbolicLink(dir.resolve("jwks.json"), Path.of("..data/jwks.json"));
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(K8S, Optional.of(file.toString()))));
            assertThat(auth.authenticate(k8s.rs256(k8s.serviceAccount("ml", "trainer", now())))).isPresent();

            Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(next, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertThat(auth.authenticate(rotated.es256(rotated.serviceAccount("ml", "trainer", now())))).isPresent();
        }

        @Test
        void missingJwksFileAtStartThenCreated() throws IOException {
            Path file = dir.resolve("not-yet.json");
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(K8S, Optional.of(file.toString()))));
            String token = k8s.rs256(k8s.serviceAccount("ml", "trainer", now()));
            // the caller learns nothing of the server's files or network; the log says why
            assertRefused(auth, token, "issuer_keys_unavailable")
                    .message().doesNotContain("does not exist").doesNotContain(dir.toString());
            assertThat(keyWarnings()).anySatisfy(w -> assertThat(w).contains(file + " does not exist"));
            k8s.writeJwks(file);
            assertThat(auth.authenticate(token)).isPresent();
        }

        @Test
        void verifiedTokensAreCachedUpToAMinute() throws IOException {
            Path file = k8s.writeJwks(dir.resolve("jwks.json"));
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(K8S, Optional.of(file.toString()))));
            String token = k8s.rs256(k8s.serviceAccount("ml", "trainer", now()));
            Principal first = auth.authenticate(token).orElseThrow();

            Files.writeString(file, rotated.jwks());
            clock.advance(Duration.ofSeconds(59));
            assertThat(auth.authenticate(token)).containsSame(first);
            clock.advance(Duration.ofSeconds(1));
            assertRefused(auth, token, "kid_unknown");
        }

        @Test
        void aCachedTokenIsNotUsedPastItsExpiry() {
            JwtAuthenticator auth = fileAuthenticator();
            String token = k8s.rs256(k8s.serviceAccount("ml", "trainer", now().minus(Duration.ofMinutes(30)))
                    .expirationTime(Date.from(now().plusSeconds(10))));
            assertThat(auth.authenticate(token)).isPresent();
            clock.advance(Duration.ofSeconds(71));
            assertThatThrownBy(() -> auth.authenticate(token)).isInstanceOf(UnauthenticatedException.class)
                    .satisfies(e -> assertThat(((UnauthenticatedException) e).reason())
                            .isEqualTo(ErrorReason.CREDENTIALS_EXPIRED));
        }
    }

    @Nested
    class OverHttp {
        private HttpServer server;
        private final AtomicReference<String> jwks = new AtomicReference<>();
        private final AtomicInteger jwksFetches = new AtomicInteger();
        /** Counted down when a JWKS request arrives while {@link #jwksGate} is set. */
        private final CountDownLatch jwksRequested = new CountDownLatch(1);
        /** When set, JWKS requests are answered only once it is counted down: a slow issuer. */
        private final AtomicReference<CountDownLatch> jwksGate = new AtomicReference<>();
        private final ExecutorService callers = Executors.newCachedThreadPool();
        private String base;

        @BeforeEach
        void start() throws IOException {
            server = startServer(0);
            base = "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private HttpServer startServer(int port) throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            s.createContext("/.well-known/openid-configuration", exchange -> {
                String issuer = "http://127.0.0.1:" + s.getAddress().getPort();
                respond(exchange, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/openid/v1/jwks\","
                        + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
            });
            s.createContext("/openid/v1/jwks", exchange -> {
                jwksFetches.incrementAndGet();
                CountDownLatch gate = jwksGate.get();
                if (gate != null) {
                    jwksRequested.countDown();
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                respond(exchange, jwks.get());
            });
            s.start();
            return s;
        }

        private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @AfterEach
        void stop() {
            CountDownLatch gate = jwksGate.get();
            if (gate != null) {
                gate.countDown();
            }
            callers.shutdownNow();
            server.stop(0);
        }

        @Test
        void discovery() {
            JwtTestIssuer issuer = k8s.withIssuer(base);
            jwks.set(issuer.jwks());
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(base, Optional.empty())));
            Principal p = auth.authenticate(issuer.rs256(issuer.serviceAccount("ml", "trainer", now()))).orElseThrow();
            assertThat(p.name()).isEqualTo("ml/trainer");
            assertThat(p.roles()).containsEntry("vision", Role.EDITOR);
        }

        @Test
        void discoveryDocumentOfAnotherIssuerIsNotTrusted() {
            // the document at base names base as issuer, but the configured one has a trailing slash
            JwtTestIssuer issuer = k8s.withIssuer(base + "/");
            jwks.set(issuer.jwks());
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(base + "/", Optional.empty())));
            assertRefused(auth, issuer.rs256(issuer.serviceAccount("ml", "trainer", now())), "issuer_keys_unavailable")
                    .message().doesNotContain("names issuer").doesNotContain("well-known");
            assertThat(keyWarnings()).anySatisfy(w -> assertThat(w).contains("names issuer"));
        }

        @Test
        void jwksUrl() {
            jwks.set(idp.jwks());
            JwtAuthenticator auth = authenticator(List.of(
                    new AuthConfig.JwtIssuer(IDP, Optional.of(base + "/openid/v1/jwks"))));
            assertThat(auth.authenticate(idp.es256(idp.person("u1", "alice@example.com", true, now())))
                    .orElseThrow().name()).isEqualTo("alice@example.com");
        }

        @Test
        void unknownKidRefreshesTheKeysAtMostEveryTenSeconds() {
            jwks.set(idp.jwks());
            JwtAuthenticator auth = authenticator(List.of(
                    new AuthConfig.JwtIssuer(IDP, Optional.of(base + "/openid/v1/jwks"))));
            assertThat(jwksFetches.get()).isEqualTo(1); // loaded at start
            JwtTestIssuer idpRotated = rotated.withIssuer(IDP);
            jwks.set(JwtTestIssuer.jwksOf(idp.rsa(), idpRotated.rsa()));
            String newToken = idpRotated.rs256(idpRotated.person("u1", "alice@example.com", true, now()));

            // within 10 s of the last load: no new fetch, however many unknown kids come
            for (int i = 0; i < 5; i++) {
                assertRefused(auth, newToken, "kid_unknown");
            }
            assertThat(jwksFetches.get()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(10));
            assertThat(auth.authenticate(newToken)).isPresent();
            assertThat(jwksFetches.get()).isEqualTo(2);
            // known kids do not fetch
            assertThat(auth.authenticate(idp.rs256(idp.person("u2", "bob@example.com", true, now())))).isPresent();
            assertThat(jwksFetches.get()).isEqualTo(2);
        }

        @Test
        void aSlowKeyRefreshStallsNoOtherCaller() throws Exception {
            jwks.set(idp.jwks());
            JwtAuthenticator auth = authenticator(List.of(
                    new AuthConfig.JwtIssuer(IDP, Optional.of(base + "/openid/v1/jwks"))));
            clock.advance(Duration.ofSeconds(10));
            CountDownLatch release = new CountDownLatch(1);
            jwksGate.set(release);
            // a made-up kid: this caller refreshes the keys, and the issuer takes its time
            String madeUp = JwtTestIssuer.sign(JwtTestIssuer.newRsa("kid-1"), JWSAlgorithm.RS256,
                    idp.person("u1", "mallory@example.com", true, now()).build());
            Future<?> refreshing = callers.submit(() -> assertRefused(auth, madeUp, "kid_unknown"));
            assertThat(jwksRequested.await(5, TimeUnit.SECONDS)).isTrue();

            // meanwhile the keys loaded before serve everyone else, and another unknown kid fails at once
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
                assertThat(auth.authenticate(idp.rs256(idp.person("u2", "bob@example.com", true, now()))))
                        .isPresent();
                String another = JwtTestIssuer.sign(JwtTestIssuer.newEc("kid-2"), JWSAlgorithm.ES256,
                        idp.person("u3", "eve@example.com", true, now()).build());
                assertRefused(auth, another, "kid_unknown");
            });
            assertThat(refreshing.isDone()).isFalse();
            assertThat(jwksFetches.get()).isEqualTo(2); // one refresh in flight, no second one

            release.countDown();
            refreshing.get(5, TimeUnit.SECONDS);
            assertThat(jwksFetches.get()).isEqualTo(2);
        }

        @Test
        void callersWithoutKeysWaitForTheLoadUnderWay() throws Exception {
            jwks.set(idp.jwks());
            CountDownLatch release = new CountDownLatch(1);
            jwksGate.set(release);
            IssuerKeys keys = new IssuerKeys(IDP, new JwksUrlSource(URI.create(base + "/openid/v1/jwks"),
                    new HttpFetcher(Duration.ofSeconds(5))), clock);
            JWKMatcher matcher = JWKMatcher.forJWSHeader(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("idp-rsa")
                    .build());
            Future<List<JWK>> first = callers.submit(() -> keys.select(matcher));
            assertThat(jwksRequested.await(5, TimeUnit.SECONDS)).isTrue();
            // with no keys at all there is nothing to go on with: the second caller waits for the same load
            Future<List<JWK>> second = callers.submit(() -> keys.select(matcher));
            Thread.sleep(200);
            assertThat(second.isDone()).isFalse();

            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).extracting(JWK::getKeyID).containsExactly("idp-rsa");
            assertThat(second.get(5, TimeUnit.SECONDS)).extracting(JWK::getKeyID).containsExactly("idp-rsa");
            assertThat(jwksFetches.get()).isEqualTo(1);
        }

        @Test
        void keysAreReloadedAfterFiveMinutes() {
            jwks.set(idp.jwks());
            JwtAuthenticator auth = authenticator(List.of(
                    new AuthConfig.JwtIssuer(IDP, Optional.of(base + "/openid/v1/jwks"))));
            clock.advance(Duration.ofMinutes(5));
            assertThat(auth.authenticate(idp.rs256(idp.person("u1", "a@example.com", true, now())))).isPresent();
            assertThat(jwksFetches.get()).isEqualTo(2);
        }

        @Test
        void issuerDownAtStartThenUp() throws IOException {
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            String down = "http://127.0.0.1:" + port;
            JwtTestIssuer issuer = k8s.withIssuer(down);
            jwks.set(issuer.jwks());
            // the server starts: the authenticator is there, the keys are not
            JwtAuthenticator auth = authenticator(List.of(new AuthConfig.JwtIssuer(down, Optional.empty())));
            String token = issuer.rs256(issuer.serviceAccount("ml", "trainer", now()));
            assertRefused(auth, token, "issuer_keys_unavailable");

            HttpServer late = startServer(port);
            try {
                // retried on use, but not more often than every 10 s
                assertRefused(auth, token, "issuer_keys_unavailable");
                clock.advance(Duration.ofSeconds(10));
                assertThat(auth.authenticate(token).orElseThrow().name()).isEqualTo("ml/trainer");
            } finally {
                late.stop(0);
            }
        }
    }

    /** A clock tests move by hand. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
