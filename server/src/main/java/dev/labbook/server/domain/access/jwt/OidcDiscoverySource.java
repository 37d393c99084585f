package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;

/**
 * Keys found by OIDC discovery: {@code ISSUER/.well-known/openid-configuration} names the
 * {@code jwks_uri}. Both are fetched on every load (every 5 minutes, and for a key id not seen yet
 * at most every 10 s), so a moved JWKS is followed too.
 */
public final class OidcDiscoverySource implements KeySource {
    private final String issuer;
    private final URI discovery;
    private final HttpFetcher http;

    public OidcDiscoverySource(String issuer, HttpFetcher http) {
        this.issuer = issuer;
        this.discovery = URI.create(stripSlash(issuer) + "/.well-known/openid-configuration");
        this.http = http;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public JWKSet load() throws IOException {
        Map<String, Object> document;
        String jwksUri;
        try {
            document = JSONObjectUtils.parse(http.get(discovery));
            // OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched for.
            String named = JSONObjectUtils.getString(document, "issuer");
            if (!issuer.equals(named)) {
                throw new IOException(discovery + " names issuer '" + named + "', not '" + issuer + "'");
            }
            jwksUri = JSONObjectUtils.getString(document, "jwks_uri");
        } catch (ParseException e) {
            throw new IOException(discovery + " is not an OpenID configuration: " + e.getMessage(), e);
        }
        if (jwksUri == null || jwksUri.isBlank()) {
            throw new IOException(discovery + " has no jwks_uri");
        }
        URI uri;
        try {
            uri = URI.create(jwksUri);
        } catch (IllegalArgumentException e) {
            throw new IOException(discovery + " has a malformed jwks_uri", e);
        }
        return JwksUrlSource.parse(http.get(uri), uri);
    }

    @Override
    public Duration maxAge() {
        return JwksUrlSource.MAX_AGE;
    }

    @Override
    public Duration minInterval() {
        return JwksUrlSource.MIN_INTERVAL;
    }

    @Override
    public String describe() {
        return "OIDC discovery " + discovery;
    }
}
