package dev.labbook.server.config;

import java.util.List;
import java.util.Optional;

/**
 * Access control settings (see docs/security.md).
 *
 * @param enabled whether calls must carry valid credentials ({@code --auth on})
 * @param insecureNoAuth whether a non-loopback host may serve with access control off
 * @param bootstrapToken an admin-of-every-project token to store at start
 * @param jwtIssuers issuers whose JWTs are accepted
 * @param jwtAudience the {@code aud} a JWT must carry
 * @param jwtRoles roles of JWT principals
 * @param auditRetentionDays days the audit log keeps an event; 0 forever
 */
public record AuthConfig(boolean enabled, boolean insecureNoAuth, Optional<String> bootstrapToken,
        List<JwtIssuer> jwtIssuers, String jwtAudience, List<JwtRoleBinding> jwtRoles, int auditRetentionDays) {
    public static final int DEFAULT_AUDIT_RETENTION_DAYS = 365;

    public AuthConfig(boolean enabled, boolean insecureNoAuth, Optional<String> bootstrapToken,
            List<JwtIssuer> jwtIssuers, String jwtAudience, List<JwtRoleBinding> jwtRoles) {
        this(enabled, insecureNoAuth, bootstrapToken, jwtIssuers, jwtAudience, jwtRoles, DEFAULT_AUDIT_RETENTION_DAYS);
    }

    public AuthConfig {
        jwtIssuers = List.copyOf(jwtIssuers);
        jwtRoles = List.copyOf(jwtRoles);
    }

    /** Access control off, what embedded test servers get unless they ask. */
    public static AuthConfig off() {
        return new AuthConfig(false, false, Optional.empty(), List.of(), "labbook", List.of());
    }

    /** Access control on with API tokens only. */
    public static AuthConfig tokens(Optional<String> bootstrapToken) {
        return new AuthConfig(true, false, bootstrapToken, List.of(), "labbook", List.of());
    }

    public AuthConfig withJwt(List<JwtIssuer> issuers, String audience, List<JwtRoleBinding> roles) {
        return new AuthConfig(enabled, insecureNoAuth, bootstrapToken, issuers, audience, roles, auditRetentionDays);
    }

    /**
     * An issuer of accepted JWTs.
     *
     * @param issuer the {@code iss} claim, an https URL (Kubernetes: the API server's
     *     {@code --service-account-issuer})
     * @param keys a JWKS file path or URL; empty: from the issuer's OIDC discovery document
     */
    public record JwtIssuer(String issuer, Optional<String> keys) {
    }

    /**
     * A role granted to JWT principals.
     *
     * @param principal {@code namespace/serviceaccount}, {@code namespace/*}, or an OIDC principal name
     *     (an email or subject; {@code oidc:}-prefixed where it could be taken for another kind of
     *     principal, see docs/security.md)
     * @param project a project name or {@code *}
     * @param role {@code viewer}, {@code editor} or {@code admin}
     */
    public record JwtRoleBinding(String principal, String project, String role) {
        /**
         * Whether the binding applies to the principal. A binding of the ServiceAccount form
         * ({@code ns/name}, or {@code ns/*} for every ServiceAccount of ns) applies only to ServiceAccounts,
         * any other binding only to the OIDC principal of exactly that name.
         *
         * @param name the principal's name
         * @param serviceAccount whether the principal is a Kubernetes ServiceAccount, as its token says
         *     (not guessed from the name)
         */
        public boolean matches(String name, boolean serviceAccount) {
            if (namesServiceAccounts() != serviceAccount) {
                return false;
            }
            if (principal.endsWith("/*")) {
                return name.startsWith(principal.substring(0, principal.length() - 1));
            }
            return principal.equals(name);
        }

        /** Whether the binding is of the ServiceAccount form (OIDC names with a slash are {@code oidc:}-prefixed). */
        private boolean namesServiceAccounts() {
            return principal.contains("/") && !principal.startsWith("oidc:");
        }
    }
}
