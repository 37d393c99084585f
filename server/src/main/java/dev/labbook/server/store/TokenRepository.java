package dev.labbook.server.store;

import dev.labbook.server.domain.access.ApiToken;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** API tokens, looked up by the hash of their secret, within the caller's transaction. */
public interface TokenRepository {
    /** Stores the token under the hash; false (and nothing written) when the hash is stored already. */
    boolean insert(ApiToken token, byte[] secretHash);

    Optional<ApiToken> findByHash(byte[] secretHash);

    Optional<ApiToken> findById(UUID id);

    /** Whether any token, active or not, is stored. */
    boolean any();

    /**
     * Newest first, ids below {@code beforeId} when given.
     *
     * @param projects only tokens of these projects (may hold {@code *}); null: every project
     * @param activeAt when given, only tokens neither revoked nor expired at that time
     */
    List<ApiToken> list(Collection<String> projects, Instant activeAt, UUID beforeId, int limit);

    /** Sets the revocation time unless already revoked; returns the token as stored after. */
    Optional<ApiToken> revoke(UUID id, Instant at);

    /** Moves each token's last use forward to the given time (never backwards). */
    void recordUse(Map<UUID, Instant> lastUse);

    /**
     * Holds a transaction-scoped lock that serialises the first-start bootstrap of every replica
     * on this database (a PostgreSQL advisory lock).
     */
    void lockBootstrap();
}
