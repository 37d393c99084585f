package dev.labbook.sdk;

/**
 * An API token as the server lists it: never its secret.
 *
 * @param prefix         the secret's first characters ({@code lbk_} and 4 more), to recognise it
 * @param expireTimeMs   0: never expires
 * @param revokeTimeMs   0: not revoked
 * @param lastUseTimeMs  last accepted use (updated at most once a minute); 0: never used
 */
public record TokenInfo(String id, String name, String project, Role role, String prefix, String creator,
        long createTimeMs, long expireTimeMs, long revokeTimeMs, long lastUseTimeMs) {

    /** Neither revoked nor expired at {@code nowMs}. */
    public boolean activeAt(long nowMs) {
        return revokeTimeMs == 0 && (expireTimeMs == 0 || expireTimeMs > nowMs);
    }
}
