package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached public keys of one issuer. Keys are loaded on first use, again after their
 * {@link KeySource#maxAge()}, and again when a token names a key id not among them (Kubernetes and
 * OIDC providers rotate keys), but never twice within {@link KeySource#minInterval()}. When a load
 * fails the last keys stay in use; with no keys at all, tokens of the issuer are refused until a
 * load succeeds (the server starts anyway).
 */
public final class IssuerKeys {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);
    private final String issuer;
    private final KeySource source;
    private final Clock clock;
    private JWKSet keys;
    private Instant loadedAt;
    private Instant lastAttempt;
    private String lastError;

    public IssuerKeys(String issuer, KeySource source, Clock clock) {
        this.issuer = issuer;
        this.source = source;
        this.clock = clock;
    }

    /** Loads the keys now, logging a warning when they cannot be had; true when keys are there. */
    public synchronized boolean warmUp() {
        load(clock.instant());
        return keys != null;
    }

    /**
     * The keys that match (kid, key type, curve, use, algorithm), loading or refreshing as needed.
     *
     * @throws dev.labbook.server.domain.access.UnauthenticatedException (CREDENTIALS_INVALID,
     *     {@code issuer_keys_unavailable}) when the issuer's keys were never loaded and cannot be now
     */
    public synchronized List<JWK> select(JWKMatcher matcher) {
        Instant now = clock.instant();
        if (keys == null || !now.isBefore(loadedAt.plus(source.maxAge()))) {
            loadIfAllowed(now);
        }
        List<JWK> found = keys == null ? List.of() : new JWKSelector(matcher).select(keys);
        if (found.isEmpty() && loadIfAllowed(now)) {
            found = new JWKSelector(matcher).select(keys);
        }
        if (keys == null) {
            throw JwtRejection.invalid("issuer_keys_unavailable", "the keys of issuer " + issuer
                    + " cannot be loaded right now (" + lastError + "); retry later");
        }
        return found;
    }

    private boolean loadIfAllowed(Instant now) {
        if (lastAttempt != null && now.isBefore(lastAttempt.plus(source.minInterval()))) {
            return false;
        }
        return load(now);
    }

    private boolean load(Instant now) {
        lastAttempt = now;
        try {
            JWKSet loaded = source.load();
            if (lastError != null) {
                LOG.info("JWT issuer {}: keys loaded from {}", issuer, source.describe());
            }
            keys = loaded;
            loadedAt = now;
            lastError = null;
            return true;
        } catch (IOException | RuntimeException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!error.equals(lastError)) {
                LOG.warn("JWT issuer {}: cannot load keys from {}: {}; {}", issuer, source.describe(), error,
                        keys == null ? "its tokens are refused until they can be loaded (retried on use)"
                                : "the keys loaded before stay in use");
            }
            lastError = error;
            return false;
        }
    }
}
