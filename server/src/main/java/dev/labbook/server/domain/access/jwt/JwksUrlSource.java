package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;

/** Keys from a JWKS URL, loaded again every 5 minutes and for a key id not seen yet (at most every 10 s). */
public final class JwksUrlSource implements KeySource {
    static final Duration MAX_AGE = Duration.ofMinutes(5);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    private final URI uri;
    private final HttpFetcher http;

    public JwksUrlSource(URI uri, HttpFetcher http) {
        this.uri = uri;
        this.http = http;
    }

    @Override
    public JWKSet load() throws IOException {
        return parse(http.get(uri), uri);
    }

    static JWKSet parse(String json, URI from) throws IOException {
        try {
            return JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IOException(from + " is not a JWKS: " + e.getMessage(), e);
        }
    }

    @Override
    public Duration maxAge() {
        return MAX_AGE;
    }

    @Override
    public Duration minInterval() {
        return MIN_INTERVAL;
    }

    @Override
    public String describe() {
        return "JWKS URL " + uri;
    }
}
