package dev.labbook.server.domain.access.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.labbook.server.domain.access.UnauthenticatedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Principal names of verified claims: ServiceAccounts only from their subject, OIDC names never like another kind. */
class JwtPrincipalNamesTest {
    private static JWTClaimsSet.Builder subject(String sub) {
        return new JWTClaimsSet.Builder().subject(sub);
    }

    private static Map<String, Object> kubernetesClaim(String namespace, String name) {
        return Map.of("namespace", namespace, "serviceaccount", Map.of("name", name, "uid", "6b1f0a3c"));
    }

    private static JwtPrincipal principalOf(JWTClaimsSet.Builder claims) {
        return JwtPrincipalNames.principalOf(claims.build());
    }

    private static void assertRefused(JWTClaimsSet.Builder claims, String detail) {
        assertThatThrownBy(() -> principalOf(claims)).isInstanceOf(UnauthenticatedException.class)
                .satisfies(e -> assertThat(((UnauthenticatedException) e).metadata()).containsEntry("detail", detail));
    }

    @Test
    void aServiceAccountFromItsSubjectWithOrWithoutTheKubernetesClaim() {
        assertThat(principalOf(subject("system:serviceaccount:ml:trainer")))
                .isEqualTo(new JwtPrincipal("ml/trainer", true));
        assertThat(principalOf(subject("system:serviceaccount:ml-ops:deployer.v2")
                .claim("kubernetes.io", kubernetesClaim("ml-ops", "deployer.v2"))))
                .isEqualTo(new JwtPrincipal("ml-ops/deployer.v2", true));
    }

    @Test
    void theKubernetesClaimAloneMakesNoServiceAccount() {
        // an OIDC token of another issuer carrying a kubernetes.io claim is an OIDC principal
        JwtPrincipal p = principalOf(subject("0012345").claim("kubernetes.io", kubernetesClaim("ml", "trainer")));
        assertThat(p).isEqualTo(new JwtPrincipal("0012345", false));
        JwtPrincipal slash = principalOf(subject("ml/trainer")
                .claim("kubernetes.io", kubernetesClaim("ml", "trainer")));
        assertThat(slash).isEqualTo(new JwtPrincipal("oidc:ml/trainer", false));
    }

    @Test
    void theKubernetesClaimMustNameTheSubjectsServiceAccount() {
        String sub = "system:serviceaccount:ml:trainer";
        assertRefused(subject(sub).claim("kubernetes.io", kubernetesClaim("ml", "admin")), "subject_mismatch");
        assertRefused(subject(sub).claim("kubernetes.io", kubernetesClaim("prod", "trainer")), "subject_mismatch");
        assertRefused(subject(sub).claim("kubernetes.io", kubernetesClaim("ml/../x", "trainer")), "subject_mismatch");
        assertRefused(subject(sub).claim("kubernetes.io", Map.of("namespace", "ml")), "subject_mismatch");
        assertRefused(subject(sub).claim("kubernetes.io", "ml/trainer"), "subject_mismatch");
    }

    @Test
    void aServiceAccountSubjectOfAnotherShapeIsRefused() {
        for (String sub : new String[] {"system:serviceaccount:ml:trainer:x", "system:serviceaccount:ml",
                "system:serviceaccount:ml/..:trainer", "system:serviceaccount:ML:trainer",
                "system:serviceaccount::trainer", "system:serviceaccount:"}) {
            assertRefused(subject(sub).claim("email", "a@example.com").claim("email_verified", true),
                    "subject_malformed");
        }
    }

    @Test
    void oidcNamesAreTheVerifiedEmailElseTheSubject() {
        assertThat(principalOf(subject("0012345").claim("email", "alice@example.com").claim("email_verified", true)))
                .isEqualTo(new JwtPrincipal("alice@example.com", false));
        assertThat(principalOf(subject("0012345").claim("email", "alice@example.com").claim("email_verified", "true")))
                .isEqualTo(new JwtPrincipal("alice@example.com", false));
        assertThat(principalOf(subject("0012345").claim("email", "alice@example.com").claim("email_verified", false)))
                .isEqualTo(new JwtPrincipal("0012345", false));
        assertThat(principalOf(subject("0012345").claim("email", "alice@example.com")))
                .isEqualTo(new JwtPrincipal("0012345", false));
        assertRefused(subject(null).claim("email", "alice@example.com"), "subject_missing");
        assertRefused(subject(" "), "subject_missing");
    }

    @Test
    void oidcNamesThatLookLikeAnotherKindArePrefixed() {
        Map<String, String> names = Map.of(
                "ml/x@evil.example", "oidc:ml/x@evil.example",
                "token:bootstrap", "oidc:token:bootstrap",
                "TOKEN:bootstrap", "oidc:TOKEN:bootstrap",
                "system:admin", "oidc:system:admin",
                "oidc:alice", "oidc:oidc:alice",
                "anonymous", "oidc:anonymous",
                "tokens:x", "tokens:x",
                "alice@example.com", "alice@example.com");
        names.forEach((claimed, name) -> {
            assertThat(principalOf(subject(claimed))).isEqualTo(new JwtPrincipal(name, false));
            assertThat(principalOf(subject("1").claim("email", claimed).claim("email_verified", true)))
                    .isEqualTo(new JwtPrincipal(name, false));
        });
    }
}
