package dev.labbook.sdk;

import java.util.Locale;

/** A role in a project: viewer reads, editor also writes and soft-deletes, admin does everything. */
public enum Role {
    VIEWER, EDITOR, ADMIN;

    /** {@code viewer}, {@code EDITOR}, {@code role_admin}...; IllegalArgumentException otherwise. */
    public static Role parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (t.startsWith("ROLE_")) {
            t = t.substring("ROLE_".length());
        }
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("role '" + text + "': viewer, editor or admin", e);
        }
    }

    /** {@code viewer}, {@code editor}, {@code admin}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    dev.labbook.api.v1.Role toProto() {
        return switch (this) {
            case VIEWER -> dev.labbook.api.v1.Role.ROLE_VIEWER;
            case EDITOR -> dev.labbook.api.v1.Role.ROLE_EDITOR;
            case ADMIN -> dev.labbook.api.v1.Role.ROLE_ADMIN;
        };
    }

    /** Null for ROLE_UNSPECIFIED (or a role this SDK does not know). */
    static Role of(dev.labbook.api.v1.Role role) {
        return switch (role) {
            case ROLE_VIEWER -> VIEWER;
            case ROLE_EDITOR -> EDITOR;
            case ROLE_ADMIN -> ADMIN;
            default -> null;
        };
    }
}
