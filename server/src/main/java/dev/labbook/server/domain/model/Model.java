package dev.labbook.server.domain.model;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A model a run logged (MLflow 3's logged model): name, status, free-form type, tags and params
 * (text; a key once logged keeps its value). Its files are the run's artifacts under
 * {@link #artifactPath()}. {@code deletedAt} is null unless DeleteModel deleted it.
 */
public record Model(UUID id, UUID experimentId, UUID runId, String name, ModelStatus status, String statusMessage,
        String modelType, Map<String, String> tags, Map<String, String> params, Instant createTime,
        Instant updateTime, Instant deletedAt) {

    public Model {
        tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
        params = java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** Where its files are in the run's artifacts: {@code models/<id>}. */
    public String artifactPath() {
        return "models/" + ModelIds.format(id);
    }

    Model with(ModelStatus newStatus, String newMessage, Map<String, String> newTags, Map<String, String> newParams,
            Instant newUpdateTime, Instant newDeletedAt) {
        return new Model(id, experimentId, runId, name, newStatus, newMessage, modelType, newTags, newParams,
                createTime, newUpdateTime, newDeletedAt);
    }
}
