package dev.labbook.server.domain.access.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.config.AuthConfig.JwtRoleBinding;
import dev.labbook.server.domain.access.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bindings of the ServiceAccount form match ServiceAccounts only; the others OIDC principals only. */
class JwtRoleMapperTest {
    private final JwtRoleMapper mapper = new JwtRoleMapper(List.of(
            new JwtRoleBinding("ml/trainer", "vision", "editor"),
            new JwtRoleBinding("ml/*", "vision", "viewer"),
            new JwtRoleBinding("ml/*", "default", "viewer"),
            new JwtRoleBinding("alice@example.com", "*", "admin"),
            new JwtRoleBinding("oidc:team/lead@example.com", "nlp", "admin")));

    @Test
    void serviceAccountsGetTheHighestRolePerProjectOfTheirBindings() {
        assertThat(mapper.rolesOf(new JwtPrincipal("ml/trainer", true)))
                .isEqualTo(Map.of("vision", Role.EDITOR, "default", Role.VIEWER));
        assertThat(mapper.rolesOf(new JwtPrincipal("ml/eval", true)))
                .isEqualTo(Map.of("vision", Role.VIEWER, "default", Role.VIEWER));
        assertThat(mapper.rolesOf(new JwtPrincipal("ml-ops/trainer", true))).isEmpty();
    }

    @Test
    void serviceAccountBindingsNeverMatchAnOidcPrincipal() {
        // names the principal naming would never give an OIDC principal, and still no match
        assertThat(mapper.rolesOf(new JwtPrincipal("ml/x@evil.example", false))).isEmpty();
        assertThat(mapper.rolesOf(new JwtPrincipal("ml/trainer", false))).isEmpty();
    }

    @Test
    void oidcBindingsMatchTheirOidcPrincipalOnly() {
        assertThat(mapper.rolesOf(new JwtPrincipal("alice@example.com", false))).isEqualTo(Map.of("*", Role.ADMIN));
        assertThat(mapper.rolesOf(new JwtPrincipal("oidc:team/lead@example.com", false)))
                .isEqualTo(Map.of("nlp", Role.ADMIN));
        assertThat(mapper.rolesOf(new JwtPrincipal("alice@example.com", true))).isEmpty();
        assertThat(mapper.rolesOf(new JwtPrincipal("bob@example.com", false))).isEmpty();
    }

    @Test
    void bindingMatches() {
        JwtRoleBinding wildcard = new JwtRoleBinding("ml/*", "p", "viewer");
        assertThat(wildcard.matches("ml/a", true)).isTrue();
        assertThat(wildcard.matches("ml/a", false)).isFalse();
        assertThat(wildcard.matches("ml-ops/a", true)).isFalse();
        assertThat(wildcard.matches("oidc:ml/a", false)).isFalse();
        JwtRoleBinding oidcWithSlash = new JwtRoleBinding("oidc:ml/x@example.com", "p", "viewer");
        assertThat(oidcWithSlash.matches("oidc:ml/x@example.com", false)).isTrue();
        assertThat(oidcWithSlash.matches("oidc:ml/x@example.com", true)).isFalse();
    }
}
