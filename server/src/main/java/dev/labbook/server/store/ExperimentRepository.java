package dev.labbook.server.store;

import dev.labbook.server.domain.Experiment;
import dev.labbook.server.domain.Lifecycle;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Experiments and their tags, within the caller's transaction. */
public interface ExperimentRepository {
    /** Inserts with tags; returns false (and writes nothing) when the name is taken in the project. */
    boolean insert(Experiment experiment);

    /** With {@code forUpdate} the row stays locked until the transaction ends. */
    Optional<Experiment> findById(UUID id, boolean forUpdate);

    /** Looks up by project and case-folded name ({@code Limits.nameKey}). */
    Optional<Experiment> findByName(String project, String nameKey);

    /** Newest first, ids below {@code beforeId} when given. */
    List<Experiment> list(String project, Lifecycle lifecycle, String folderPrefix, UUID beforeId, int limit);

    /** Writes name, description, folder, tags and update time; false when the new name is taken. */
    boolean update(Experiment experiment);

    void setDeletedAt(UUID id, Instant deletedAt, Instant updatedAt);

    /** Deletes the experiment with everything in it; returns the number of runs removed. */
    long purge(UUID id);
}
