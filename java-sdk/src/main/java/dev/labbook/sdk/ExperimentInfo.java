package dev.labbook.sdk;

import java.util.Map;

/** An experiment as stored on the server (a named collection of runs in a project). */
public record ExperimentInfo(String id, String project, String name, String description, String folder,
        Map<String, String> tags, long createTimeMs, long updateTimeMs, boolean deleted) {
    public ExperimentInfo {
        tags = Map.copyOf(tags);
    }
}
