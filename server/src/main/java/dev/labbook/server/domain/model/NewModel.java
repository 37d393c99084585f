package dev.labbook.server.domain.model;

import java.util.Map;
import java.util.UUID;

/** A CreateModel request. */
public record NewModel(UUID runId, String name, String modelType, Map<String, String> tags,
        Map<String, String> params) {
}
