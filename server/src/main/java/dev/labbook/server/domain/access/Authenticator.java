package dev.labbook.server.domain.access;

import java.util.Optional;

/**
 * Turns a bearer credential into a {@link Principal}. Several kinds of credentials exist (API
 * tokens, JWTs); each authenticator recognises its own by form and leaves the others alone.
 */
public interface Authenticator {
    /**
     * @param credential the bearer credential as sent (no {@code Bearer } prefix)
     * @return the principal, or empty when the credential is not of this authenticator's kind
     * @throws UnauthenticatedException when it is of this kind but not valid (unknown, expired,
     *     revoked, bad signature, ...), saying which
     */
    Optional<Principal> authenticate(String credential);
}
