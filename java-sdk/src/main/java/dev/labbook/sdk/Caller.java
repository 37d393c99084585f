package dev.labbook.sdk;

import java.util.List;

/**
 * Who a client's credentials name ({@code GetCaller}).
 *
 * @param principal    {@code token:<name>} for an API token, {@code <namespace>/<serviceaccount>}
 *                     for a Kubernetes ServiceAccount token, the e-mail or subject of an OIDC
 *                     token, {@code anonymous} when the server checks no credentials
 * @param method       {@code token}, {@code jwt} or {@code none}
 * @param roles        the roles, per project ({@code *}: every project)
 * @param expireTimeMs when the credentials expire; 0 when they do not
 * @param authEnabled  whether the server checks credentials at all
 * @param tokenId      the API token's id; empty for other credentials
 */
public record Caller(String principal, String method, List<RoleBinding> roles, long expireTimeMs,
        boolean authEnabled, String tokenId) {
    public Caller {
        roles = List.copyOf(roles);
    }
}
