package dev.labbook.server.domain;

/** Which objects a listing returns with respect to soft deletion. */
public enum Lifecycle {
    ACTIVE,
    DELETED,
    ALL
}
