package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The principal of a verified JWT.
 *
 * <ul>
 *   <li>A Kubernetes ServiceAccount, {@code NAMESPACE/NAME}, only when {@code sub} is exactly
 *       {@code system:serviceaccount:NAMESPACE:NAME} (both Kubernetes names); when the token also
 *       carries the {@code kubernetes.io} claim, that claim must name the same ServiceAccount. The
 *       claim alone never makes a ServiceAccount. A {@code sub} starting
 *       {@code system:serviceaccount:} that is not of this form is refused.
 *   <li>Else (OIDC) the {@code email} when {@code email_verified} is true, else the {@code sub}.
 *       Such a name that could be taken for another kind of principal (it contains {@code /} like a
 *       ServiceAccount, starts with {@code token:} like an API token, with {@code system:} or
 *       {@code oidc:}, or is {@code anonymous}; in any letter case) is prefixed {@code oidc:}, so no OIDC name is ever
 *       the name of a ServiceAccount or an API token, and different OIDC names stay different.
 * </ul>
 */
public final class JwtPrincipalNames {
    /** The prefix of OIDC names that would otherwise look like another kind of principal. */
    public static final String OIDC_PREFIX = "oidc:";
    private static final String SA_SUBJECT_PREFIX = "system:serviceaccount:";
    /** A Kubernetes namespace or ServiceAccount name (DNS subdomain). */
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern K8S_SUBJECT = Pattern.compile("system:serviceaccount:([^:]+):([^:]+)");
    private static final List<String> RESERVED_PREFIXES = List.of("token:", "system:", OIDC_PREFIX);

    private JwtPrincipalNames() {
    }

    public static JwtPrincipal principalOf(JWTClaimsSet claims) {
        String subject = claims.getSubject();
        if (subject != null && subject.startsWith(SA_SUBJECT_PREFIX)) {
            return serviceAccount(subject, claims.getClaim("kubernetes.io"));
        }
        String email = stringClaim(claims, "email");
        if (email != null && !email.isBlank() && verified(claims.getClaim("email_verified"))) {
            return new JwtPrincipal(oidcName(email), false);
        }
        if (subject == null || subject.isBlank()) {
            throw JwtRejection.invalid("subject_missing", "no subject (sub)");
        }
        return new JwtPrincipal(oidcName(subject), false);
    }

    private static JwtPrincipal serviceAccount(String subject, Object kubernetesClaim) {
        Matcher m = K8S_SUBJECT.matcher(subject);
        if (!m.matches() || !K8S_NAME.matcher(m.group(1)).matches() || !K8S_NAME.matcher(m.group(2)).matches()) {
            throw JwtRejection.invalid("subject_malformed",
                    "the subject (sub) is not system:serviceaccount:NAMESPACE:NAME with Kubernetes names");
        }
        String namespace = m.group(1);
        String name = m.group(2);
        if (kubernetesClaim != null && !claimNames(kubernetesClaim, namespace, name)) {
            throw JwtRejection.invalid("subject_mismatch",
                    "the kubernetes.io claim does not name the ServiceAccount of the subject (sub)");
        }
        return new JwtPrincipal(namespace + "/" + name, true);
    }

    private static boolean claimNames(Object claim, String namespace, String name) {
        return claim instanceof Map<?, ?> k8s && namespace.equals(k8s.get("namespace"))
                && k8s.get("serviceaccount") instanceof Map<?, ?> account && name.equals(account.get("name"));
    }

    /** The name as is, or prefixed {@value #OIDC_PREFIX} when it could be taken for another kind of principal. */
    static String oidcName(String name) {
        // case-insensitive: TOKEN:bootstrap is no API token, but would read like one in the audit log
        boolean ambiguous = name.contains("/") || name.equalsIgnoreCase("anonymous")
                || RESERVED_PREFIXES.stream().anyMatch(p -> name.regionMatches(true, 0, p, 0, p.length()));
        return ambiguous ? OIDC_PREFIX + name : name;
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            return null;
        }
    }

    /** {@code true}, or the string {@code "true"} that some providers send. */
    private static boolean verified(Object claim) {
        return Boolean.TRUE.equals(claim) || "true".equals(claim);
    }
}
