package dev.labbook.server.domain.access.jwt;

import dev.labbook.server.config.AuthConfig;
import java.net.URI;
import java.nio.file.Path;

/** The {@link KeySource} of a configured issuer: its JWKS file or URL, else OIDC discovery. */
public final class KeySources {
    private KeySources() {
    }

    public static KeySource of(AuthConfig.JwtIssuer issuer, HttpFetcher http) {
        if (issuer.keys().isEmpty()) {
            return new OidcDiscoverySource(issuer.issuer(), http);
        }
        String keys = issuer.keys().get();
        if (keys.startsWith("https://") || keys.startsWith("http://")) {
            return new JwksUrlSource(URI.create(keys), http);
        }
        return new JwksFileSource(Path.of(keys));
    }
}
