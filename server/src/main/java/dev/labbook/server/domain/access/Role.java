package dev.labbook.server.domain.access;

import dev.labbook.server.domain.InvalidArgumentException;
import java.util.Locale;

/** A role in a project: viewer reads, editor also writes and deletes, admin does everything. */
public enum Role {
    VIEWER,
    EDITOR,
    ADMIN;

    public boolean grants(Permission permission) {
        return switch (permission) {
            case PUBLIC, AUTHENTICATED, READ -> true;
            case WRITE, DELETE -> this != VIEWER;
            case PURGE, ADMIN -> this == ADMIN;
        };
    }

    /** The lowest role that grants the permission. */
    public static Role lowestGranting(Permission permission) {
        for (Role role : values()) {
            if (role.grants(permission)) {
                return role;
            }
        }
        throw new IllegalStateException("no role grants " + permission);
    }

    /** {@code viewer}, {@code editor} or {@code admin} (any case). */
    public static Role parse(String field, String text) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(text.trim())) {
                return role;
            }
        }
        throw new InvalidArgumentException(field, "must be viewer, editor or admin, got '" + text + "'");
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
