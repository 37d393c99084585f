package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.time.Duration;

/** Where an issuer's public signing keys (a JWKS) come from: a file, a URL or OIDC discovery. */
public interface KeySource {
    /**
     * The issuer's current keys.
     *
     * @throws IOException when they cannot be had right now (unreachable, missing, not a JWKS)
     */
    JWKSet load() throws IOException;

    /** How long loaded keys are used before they are loaded again. */
    Duration maxAge();

    /** The least time between two loads (after a failure, or for a key id not seen yet). */
    Duration minInterval();

    /** For logs: where the keys come from. */
    String describe();
}
