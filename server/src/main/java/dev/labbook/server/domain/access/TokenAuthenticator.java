package dev.labbook.server.domain.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.store.AccessStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates API tokens ({@code lbk_...}). A secret with a bad checksum is refused without a
 * database query; otherwise the token is looked up by the hash of its secret. What the database
 * said is cached per hash for {@link #CACHE_TTL} (unknown hashes for {@link #UNKNOWN_TTL}), so
 * a revocation made on any replica takes effect on this one within that time, and on the replica
 * that revoked at once ({@link #forget}). Expiry is checked on every call. The last use of each
 * token is written at most once a {@link #USE_INTERVAL}, on a background thread.
 */
public final class TokenAuthenticator implements Authenticator, AutoCloseable {
    /** How long a stored token's state is trusted; revocations reach every replica within it. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(5);
    /** How long an unknown hash stays unknown: spares the database a client that retries a bad token. */
    public static final Duration UNKNOWN_TTL = Duration.ofSeconds(2);
    /** How often a token's last use is written at most. */
    public static final Duration USE_INTERVAL = Duration.ofMinutes(1);
    /** Hashes kept at most (least recently used ones go first). */
    static final int MAX_CACHED = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final AccessStore store;
    private final Clock clock;
    /** What the database said per secret hash; concurrent lookups of one hash make one query. */
    private final Cache<String, Cached> cache = Caffeine.newBuilder()
            .maximumSize(MAX_CACHED)
            .expireAfter(Expiry.creating((String hash, Cached cached) -> cached.token() == null ? UNKNOWN_TTL : CACHE_TTL))
            .build();
    private final Map<UUID, Instant> lastNoted = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> pendingUses = new ConcurrentHashMap<>();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final ExecutorService useWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "labbook-token-use");
        thread.setDaemon(true);
        return thread;
    });

    /** A lookup's result: the token (null when unknown) and its principal. */
    private record Cached(ApiToken token, Principal principal) {
    }

    public TokenAuthenticator(AccessStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Optional<Principal> authenticate(String credential) {
        if (!TokenSecrets.hasPrefix(credential)) {
            return Optional.empty();
        }
        if (!TokenSecrets.looksLikeToken(credential)) {
            throw new UnauthenticatedException(ErrorReason.CREDENTIALS_INVALID, "malformed API token: expected "
                    + TokenSecrets.PREFIX + " and " + (TokenSecrets.LENGTH - TokenSecrets.PREFIX.length())
                    + " letters and digits with a valid checksum (was it copied whole?)");
        }
        Cached cached = lookUp(credential);
        ApiToken token = cached.token();
        if (token == null) {
            throw new UnauthenticatedException(ErrorReason.CREDENTIALS_INVALID, "unknown API token "
                    + TokenSecrets.displayPrefix(credential) + "...: this server never issued it");
        }
        if (token.revoked()) {
            UnauthenticatedException revoked = new UnauthenticatedException(ErrorReason.TOKEN_REVOKED, "API token "
                    + token.prefix() + "... ('" + token.name() + "', " + token.id() + ") was revoked at "
                    + token.revokedAt());
            revoked.with("token_id", token.id());
            throw revoked;
        }
        Instant now = clock.instant();
        if (token.expired(now)) {
            UnauthenticatedException expired = new UnauthenticatedException(ErrorReason.CREDENTIALS_EXPIRED, "API token "
                    + token.prefix() + "... ('" + token.name() + "', " + token.id() + ") expired at "
                    + token.expiresAt());
            expired.with("expire_time_ms", token.expiresAt().toEpochMilli());
            throw expired;
        }
        noteUse(token.id(), now);
        return Optional.of(cached.principal());
    }

    /** Drops what this replica knows of the token, so that a revocation made here applies at once. */
    public void forget(UUID tokenId) {
        cache.asMap().values().removeIf(cached -> cached.token() != null && cached.token().id().equals(tokenId));
    }

    private Cached lookUp(String secret) {
        byte[] hash = TokenSecrets.hash(secret);
        return cache.get(HexFormat.of().formatHex(hash), key -> {
            ApiToken token = store.inTransaction(tx -> tx.tokens().findByHash(hash)).orElse(null);
            return new Cached(token, token == null ? null : token.principal());
        });
    }

    private void noteUse(UUID tokenId, Instant now) {
        Instant previous = lastNoted.get(tokenId);
        if (previous != null && now.isBefore(previous.plus(USE_INTERVAL))) {
            return;
        }
        if (previous == null ? lastNoted.putIfAbsent(tokenId, now) != null : !lastNoted.replace(tokenId, previous, now)) {
            return; // another call noted it just now
        }
        pendingUses.merge(tokenId, now, (a, b) -> a.isAfter(b) ? a : b);
        if (flushQueued.compareAndSet(false, true)) {
            try {
                useWriter.execute(this::writeUses);
            } catch (RejectedExecutionException e) {
                flushQueued.set(false); // closing: close() writes what is pending
            }
        }
    }

    private void writeUses() {
        flushQueued.set(false);
        Map<UUID, Instant> uses = new java.util.HashMap<>();
        for (UUID id : pendingUses.keySet()) {
            Instant at = pendingUses.remove(id);
            if (at != null) {
                uses.put(id, at);
            }
        }
        if (uses.isEmpty()) {
            return;
        }
        try {
            store.inTransaction(tx -> {
                tx.tokens().recordUse(uses);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not record the last use of {} API tokens: {}", uses.size(), e.getMessage());
        }
    }

    /** Writes the pending last uses and stops the background thread. */
    @Override
    public void close() {
        useWriter.shutdown();
        try {
            if (!useWriter.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("recording API token uses did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeUses();
    }
}
