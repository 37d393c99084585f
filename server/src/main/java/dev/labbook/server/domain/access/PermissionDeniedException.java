package dev.labbook.server.domain.access;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.LabbookException;

/** The caller is known but its roles do not allow the call (PERMISSION_DENIED). */
public final class PermissionDeniedException extends LabbookException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(ErrorReason reason, String message) {
        super(reason, message);
    }
}
