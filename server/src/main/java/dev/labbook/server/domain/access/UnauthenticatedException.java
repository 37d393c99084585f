package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.LabbookException;

/**
 * The call's credentials are missing, malformed, unknown, expired or revoked (UNAUTHENTICATED).
 * The message says which, never what a valid secret would have been.
 */
public final class UnauthenticatedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public UnauthenticatedException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
