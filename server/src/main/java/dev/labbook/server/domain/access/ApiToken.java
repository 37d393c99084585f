package dev.labbook.server.domain.access;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A stored API token, without its secret (only its hash is stored).
 *
 * @param id UUIDv7: id order is creation order
 * @param name 1-128 characters, unique only by convention
 * @param project the project its role is granted in, or {@value Principal#ALL_PROJECTS}
 * @param prefix the secret's first characters ({@link TokenSecrets#displayPrefix})
 * @param creator principal that created it
 * @param expiresAt null: never expires
 * @param revokedAt null: not revoked
 * @param lastUsedAt last accepted use (updated at most once a minute); null: never used
 */
public record ApiToken(UUID id, String name, String project, Role role, String prefix, String creator,
        Instant createdAt, Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {

    /** Principal name of a token: {@code token:<name>}. */
    public static final String PRINCIPAL_PREFIX = "token:";

    public boolean revoked() {
        return revokedAt != null;
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Neither revoked nor expired. */
    public boolean active(Instant now) {
        return !revoked() && !expired(now);
    }

    /** What a call carrying this token's secret acts as. */
    public Principal principal() {
        return new Principal(PRINCIPAL_PREFIX + name, "token", Map.of(project, role), Optional.ofNullable(expiresAt),
                Optional.of(id.toString()));
    }
}
