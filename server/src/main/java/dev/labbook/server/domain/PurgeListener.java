package dev.labbook.server.domain;

/**
 * Told after runs were purged (their rows are gone), so that data kept outside the database —
 * artifact objects — can be deleted too.
 */
@FunctionalInterface
public interface PurgeListener {
    PurgeListener NONE = runIds -> { };

    void runsPurged(java.util.List<java.util.UUID> runIds);
}
