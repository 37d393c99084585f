package dev.labbook.server.domain.access;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.domain.access.jwt.HttpFetcher;
import dev.labbook.server.domain.access.jwt.IssuerKeys;
import dev.labbook.server.domain.access.jwt.JwtPrincipal;
import dev.labbook.server.domain.access.jwt.JwtPrincipalNames;
import dev.labbook.server.domain.access.jwt.JwtRejection;
import dev.labbook.server.domain.access.jwt.JwtRoleMapper;
import dev.labbook.server.domain.access.jwt.JwtVerifier;
import dev.labbook.server.domain.access.jwt.KeySources;
import dev.labbook.server.domain.access.jwt.VerifiedTokenCache;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates JWTs of the configured issuers ({@code --jwt-issuers}): Kubernetes ServiceAccount
 * tokens (principal {@code namespace/serviceaccount}) and OIDC ID tokens (the verified email, else
 * the subject; see {@link JwtPrincipalNames}), with roles from {@code --jwt-roles}. A credential is
 * taken for a JWT by its form, three base64url segments; anything else (an {@code lbk_} API token)
 * is left to other authenticators. Verified tokens are cached (see {@link VerifiedTokenCache}), so a client that
 * sends the same token on every call pays for one signature check a minute.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);
    /** Longer credentials of the JWT form are refused unparsed. */
    static final int MAX_LENGTH = 16 * 1024;
    private static final int CACHE_ENTRIES = 10_000;

    private final JwtVerifier verifier;
    private final JwtRoleMapper roles;
    private final VerifiedTokenCache cache;

    public JwtAuthenticator(JwtVerifier verifier, JwtRoleMapper roles, Clock clock) {
        this.verifier = verifier;
        this.roles = roles;
        this.cache = new VerifiedTokenCache(clock, CACHE_ENTRIES);
    }

    /**
     * The authenticator of the configured issuers, their keys loaded once (an issuer that cannot
     * be reached now is logged and tried again on use); empty when no issuer is configured.
     */
    public static Optional<JwtAuthenticator> from(AuthConfig config, Clock clock) {
        if (config.jwtIssuers().isEmpty()) {
            return Optional.empty();
        }
        HttpFetcher http = new HttpFetcher(Duration.ofSeconds(5));
        Map<String, IssuerKeys> issuers = new LinkedHashMap<>();
        for (AuthConfig.JwtIssuer issuer : config.jwtIssuers()) {
            var source = KeySources.of(issuer, http);
            if (!issuer.issuer().startsWith("https://") || source.describe().contains("http://")) {
                LOG.warn("JWT issuer {}: keys from {} over plain http can be forged on the way; use https",
                        issuer.issuer(), source.describe());
            }
            issuers.put(issuer.issuer(), new IssuerKeys(issuer.issuer(), source, clock));
        }
        JwtVerifier verifier = new JwtVerifier(issuers, config.jwtAudience(), clock);
        verifier.warmUp();
        LOG.info("JWTs accepted from {} with audience {}; {} role binding(s)", issuers.keySet(),
                config.jwtAudience(), config.jwtRoles().size());
        return Optional.of(new JwtAuthenticator(verifier, new JwtRoleMapper(config.jwtRoles()), clock));
    }

    /** Whether the credential has the form of a JWT: three base64url segments, the last one may be empty. */
    public static boolean looksLikeJwt(String credential) {
        if (credential.startsWith("lbk_")) {
            return false;
        }
        int dots = 0;
        int segmentStart = 0;
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c == '.') {
                if (i == segmentStart || ++dots > 2) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return dots == 2;
    }

    @Override
    public Optional<Principal> authenticate(String credential) {
        if (credential == null || !looksLikeJwt(credential)) {
            return Optional.empty();
        }
        Optional<Principal> cached = cache.get(credential);
        if (cached.isPresent()) {
            return cached;
        }
        if (credential.length() > MAX_LENGTH) {
            throw JwtRejection.invalid("malformed", "longer than " + MAX_LENGTH + " characters");
        }
        JWTClaimsSet claims = verifier.verify(credential);
        JwtPrincipal jwtPrincipal = JwtPrincipalNames.principalOf(claims);
        Principal principal = new Principal(jwtPrincipal.name(), "jwt", roles.rolesOf(jwtPrincipal),
                Optional.of(claims.getExpirationTime().toInstant()), Optional.empty());
        cache.put(credential, principal);
        return Optional.of(principal);
    }
}
