package dev.labbook.sdk;

import java.util.Map;

/**
 * An experiment as stored on the server (a named collection of runs in a project). {@code etag}
 * changes with every change (give it to {@link ExperimentsApi#update} to update only what you
 * read); {@code creator} is empty until the server knows callers.
 */
public record ExperimentInfo(String id, String project, String name, String description, String folder,
        Map<String, String> tags, long createTimeMs, long updateTimeMs, boolean deleted, String etag,
        String creator) {
    public ExperimentInfo {
        tags = Map.copyOf(tags);
    }
}
