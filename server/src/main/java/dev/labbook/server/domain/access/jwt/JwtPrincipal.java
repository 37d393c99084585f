package dev.labbook.server.domain.access.jwt;

/**
 * Who a verified JWT names.
 *
 * @param name the principal name: {@code namespace/serviceaccount} for a Kubernetes ServiceAccount,
 *     else the OIDC email or subject (prefixed {@code oidc:} where it could be taken for another kind)
 * @param serviceAccount whether the name is a Kubernetes ServiceAccount's (only these match
 *     {@code namespace/*} role bindings)
 */
public record JwtPrincipal(String name, boolean serviceAccount) {
}
