package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached public keys of one issuer. Keys are loaded on first use, again after their
 * {@link KeySource#maxAge()}, and again when a token names a key id not among them (Kubernetes and
 * OIDC providers rotate keys), but never twice within {@link KeySource#minInterval()}. When a load
 * fails the last keys stay in use; with no keys at all, tokens of the issuer are refused until a
 * load succeeds (the server starts anyway).
 *
 * <p>One load at a time, and no lock held while it runs: the caller that starts it waits for it,
 * every other caller goes on with the keys loaded before (a key id not among them is refused at
 * once). Only callers that have no keys at all wait for the load under way, as they could verify
 * nothing without it. So a stream of tokens with made-up key ids costs a fetch every
 * {@code minInterval} and stalls no one else.
 */
public final class IssuerKeys {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);
    private final String issuer;
    private final KeySource source;
    private final Clock clock;
    /** The last keys loaded, null before the first successful load. */
    private volatile Loaded loaded;
    /** Written by the loading caller only (one at a time), read by the next one. */
    private volatile String lastError;
    /** Guards {@link #lastAttempt} and {@link #inFlight}; never held during a load. */
    private final Object guard = new Object();
    private Instant lastAttempt;
    private CompletableFuture<Loaded> inFlight;

    private record Loaded(JWKSet keys, Instant at) {
    }

    public IssuerKeys(String issuer, KeySource source, Clock clock) {
        this.issuer = issuer;
        this.source = source;
        this.clock = clock;
    }

    /** Loads the keys now, logging a warning when they cannot be had; true when keys are there. */
    public boolean warmUp() {
        return refresh(clock.instant(), true) != null;
    }

    /**
     * The keys that match (kid, key type, curve, use, algorithm), loading or refreshing as needed.
     *
     * @throws dev.labbook.server.domain.access.UnauthenticatedException (CREDENTIALS_INVALID,
     *     {@code issuer_keys_unavailable}) when the issuer's keys were never loaded and cannot be now
     */
    public List<JWK> select(JWKMatcher matcher) {
        Instant now = clock.instant();
        Loaded current = loaded;
        if (current == null || !now.isBefore(current.at().plus(source.maxAge()))) {
            current = refresh(now, current == null);
        }
        if (current == null) {
            // the reason (a path, an internal URL, an HTTP status) is logged, not told to the caller
            throw JwtRejection.invalid("issuer_keys_unavailable", "the keys of issuer " + issuer
                    + " cannot be loaded right now; retry later");
        }
        List<JWK> found = new JWKSelector(matcher).select(current.keys());
        if (found.isEmpty()) {
            Loaded fresh = refresh(now, false);
            if (fresh != current) {
                found = new JWKSelector(matcher).select(fresh.keys());
            }
        }
        return found;
    }

    /**
     * Loads the keys in this thread unless a load is under way or the last one began less than
     * {@code minInterval} ago.
     *
     * @param waitForOther whether to wait for a load another caller has under way
     * @return the keys loaded last (after this caller's own load, if it made one); null if none ever were
     */
    private Loaded refresh(Instant now, boolean waitForOther) {
        CompletableFuture<Loaded> mine;
        CompletableFuture<Loaded> other;
        synchronized (guard) {
            other = inFlight;
            if (other == null) {
                if (lastAttempt != null && now.isBefore(lastAttempt.plus(source.minInterval()))) {
                    return loaded;
                }
                lastAttempt = now;
                inFlight = new CompletableFuture<>();
            }
            mine = other == null ? inFlight : null;
        }
        if (mine == null) {
            return waitForOther ? other.join() : loaded;
        }
        try {
            load(now);
        } finally {
            synchronized (guard) {
                inFlight = null;
            }
            mine.complete(loaded);
        }
        return loaded;
    }

    private void load(Instant now) {
        try {
            JWKSet keys = source.load();
            if (lastError != null) {
                LOG.info("JWT issuer {}: keys loaded from {}", issuer, source.describe());
            }
            loaded = new Loaded(keys, now);
            lastError = null;
        } catch (IOException | RuntimeException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!error.equals(lastError)) {
                LOG.warn("JWT issuer {}: cannot load keys from {}: {}; {}", issuer, source.describe(), error,
                        loaded == null ? "its tokens are refused until they can be loaded (retried on use)"
                                : "the keys loaded before stay in use");
            }
            lastError = error;
        }
    }
}
