package dev.labbook.server.domain.access;

/**
 * What a call may do; each RPC declares the one it needs in the proto ({@code labbook.v1.access}),
 * mirrored here so that the domain knows no proto type.
 */
public enum Permission {
    /** Anyone who reaches the server, credentials or not. */
    PUBLIC,
    /** Any valid credentials, whatever their roles. */
    AUTHENTICATED,
    READ,
    WRITE,
    /** Soft delete and restore. */
    DELETE,
    /** Permanent removal. */
    PURGE,
    /** Tokens and the audit log. */
    ADMIN;

    /** Whether a call needing this is a change (audited): anything beyond reading. */
    public boolean mutating() {
        return this == WRITE || this == DELETE || this == PURGE || this == ADMIN;
    }
}
