package dev.labbook.server.store;

import dev.labbook.server.domain.model.Model;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Models of runs with their tags and params, within the caller's transaction. */
public interface ModelRepository {
    /** Inserts the model with its tags and params. */
    void insert(Model model);

    /** With {@code forUpdate} the row stays locked until the transaction ends. */
    Optional<Model> find(UUID id, boolean forUpdate);

    /** Writes status, status message, update time and deletion time. */
    void updateState(Model model);

    void upsertTags(UUID id, Map<String, String> tags);

    void removeTags(UUID id, Collection<String> keys);

    /** Adds params of keys the model does not have yet (others are left as they are). */
    void insertParams(UUID id, Map<String, String> params);

    /**
     * Newest first, ids below {@code beforeId} when given: the models of these experiments (when
     * not empty) and of this run (when not null), of exactly this name (when not null), deleted
     * ones only with {@code includeDeleted}.
     */
    List<Model> list(Collection<UUID> experimentIds, UUID runId, String name, boolean includeDeleted, UUID beforeId,
            int limit);

    /** The project of each of these models that exists, deleted or not (access checks). */
    Map<UUID, String> projectsOf(Collection<UUID> modelIds);
}
