package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The principal name of a verified JWT: {@code NAMESPACE/SERVICEACCOUNT} for a Kubernetes
 * ServiceAccount token (its {@code kubernetes.io} claim, or a {@code sub} of the form
 * {@code system:serviceaccount:NAMESPACE:NAME}); for other OIDC tokens the {@code email} when
 * {@code email_verified} is true, else the {@code sub}.
 */
public final class JwtPrincipalNames {
    /** A Kubernetes namespace or ServiceAccount name (DNS subdomain). */
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern K8S_SUBJECT = Pattern.compile("system:serviceaccount:([^:]+):([^:]+)");

    private JwtPrincipalNames() {
    }

    public static String nameOf(JWTClaimsSet claims) {
        Object kubernetes = claims.getClaim("kubernetes.io");
        if (kubernetes instanceof Map<?, ?> k8s && k8s.get("serviceaccount") instanceof Map<?, ?> account) {
            return serviceAccount(k8s.get("namespace"), account.get("name"));
        }
        String subject = claims.getSubject();
        if (subject != null) {
            Matcher m = K8S_SUBJECT.matcher(subject);
            if (m.matches()) {
                return serviceAccount(m.group(1), m.group(2));
            }
        }
        String email = stringClaim(claims, "email");
        if (email != null && !email.isBlank() && verified(claims.getClaim("email_verified"))) {
            return email;
        }
        if (subject == null || subject.isBlank()) {
            throw JwtRejection.invalid("subject_missing", "no subject (sub)");
        }
        return subject;
    }

    private static String serviceAccount(Object namespace, Object name) {
        if (namespace instanceof String ns && name instanceof String sa && K8S_NAME.matcher(ns).matches()
                && K8S_NAME.matcher(sa).matches()) {
            return ns + "/" + sa;
        }
        throw JwtRejection.invalid("subject_malformed", "the ServiceAccount namespace or name is malformed");
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
