package dev.labbook.server.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A named collection of runs, unique per project (names compared case-insensitively).
 * {@code revision} counts its changes and gives its {@link #etag()}; {@code creator} is the
 * creating caller's principal (empty with access control off).
 */
public record Experiment(
        UUID id,
        String project,
        String name,
        String description,
        String folder,
        Map<String, String> tags,
        Instant createdAt,
        Instant updatedAt,
        Instant deletedAt,
        long revision,
        String creator) {

    public Experiment {
        tags = Map.copyOf(tags);
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** Changes whenever the experiment changes (AIP-154). */
    public String etag() {
        return Etags.of(id, revision);
    }

    public Experiment withName(String newName) {
        return new Experiment(id, project, newName, description, folder, tags, createdAt, updatedAt, deletedAt,
                revision, creator);
    }

    public Experiment withDescription(String newDescription) {
        return new Experiment(id, project, name, newDescription, folder, tags, createdAt, updatedAt, deletedAt,
                revision, creator);
    }

    public Experiment withFolder(String newFolder) {
        return new Experiment(id, project, name, description, newFolder, tags, createdAt, updatedAt, deletedAt,
                revision, creator);
    }

    public Experiment withTags(Map<String, String> newTags) {
        return new Experiment(id, project, name, description, folder, newTags, createdAt, updatedAt, deletedAt,
                revision, creator);
    }

    public Experiment withUpdatedAt(Instant time) {
        return new Experiment(id, project, name, description, folder, tags, createdAt, time, deletedAt,
                revision, creator);
    }
}
