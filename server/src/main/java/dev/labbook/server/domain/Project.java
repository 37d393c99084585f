package dev.labbook.server.domain;

import java.time.Instant;

/**
 * A namespace of experiments, derived from them: it exists while it holds an experiment
 * (deleted or not); {@code default} always exists. {@code experimentCount} counts the active
 * experiments; the times are null for an empty {@code default}.
 */
public record Project(String name, long experimentCount, Instant createdAt, Instant updatedAt) {
    public static Project empty(String name) {
        return new Project(name, 0, null, null);
    }
}
