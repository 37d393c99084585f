package dev.labbook.server.store;

import dev.labbook.server.domain.Experiment;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.Project;
import dev.labbook.server.domain.RunActivity;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Experiments and their tags, and the projects they make up, within the caller's transaction.
 * Every write to an experiment bumps its revision (the source of its etag).
 */
public interface ExperimentRepository {
    /** Inserts with tags; returns false (and writes nothing) when the name is taken in the project. */
    boolean insert(Experiment experiment);

    /** With {@code forUpdate} the row stays locked until the transaction ends. */
    Optional<Experiment> findById(UUID id, boolean forUpdate);

    /** The project of each of these experiments that exists, deleted or not (access checks). */
    java.util.Map<UUID, String> projectsOf(java.util.Collection<UUID> experimentIds);

    /** Looks up by project and case-folded name ({@code Limits.nameKey}). */
    Optional<Experiment> findByName(String project, String nameKey);

    /** Newest first, ids below {@code beforeId} when given. */
    List<Experiment> list(String project, Lifecycle lifecycle, String folderPrefix, UUID beforeId, int limit);

    /**
     * The run activity of each of the experiments, with one grouped query; an experiment without
     * runs is left out of the map.
     */
    Map<UUID, RunActivity> runActivity(Collection<UUID> experimentIds);

    /** Writes name, description, folder, tags and update time; false when the new name is taken. */
    boolean update(Experiment experiment);

    void upsertTags(UUID id, Map<String, String> tags);

    void removeTags(UUID id, Collection<String> keys);

    /** Records a change made through the tag calls: the update time, and a new revision. */
    void touch(UUID id, Instant updatedAt);

    void setDeletedAt(UUID id, Instant deletedAt, Instant updatedAt);

    /** Deletes the experiment with everything in it; returns the ids of the runs removed. */
    List<UUID> purge(UUID id);

    /**
     * The projects that hold experiments, and {@code alwaysListed} even when it holds none,
     * sorted by name (byte order), skipping {@code offset}.
     */
    List<Project> projects(String alwaysListed, java.util.Optional<java.util.Set<String>> only, long offset, int limit);

    /** The project's summary; empty when no experiment is in it. */
    Optional<Project> project(String name);
}
