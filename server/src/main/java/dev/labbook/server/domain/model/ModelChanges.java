package dev.labbook.server.domain.model;

import java.util.List;
import java.util.Map;

/**
 * An UpdateModel request: a new status (null leaves it), status message (null leaves it), tags
 * to set, tag keys to remove, params to add.
 */
public record ModelChanges(ModelStatus status, String statusMessage, Map<String, String> setTags,
        List<String> removeTagKeys, Map<String, String> params) {
}
