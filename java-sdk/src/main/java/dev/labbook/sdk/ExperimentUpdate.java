package dev.labbook.sdk;

import java.util.Map;

/**
 * Changes to an experiment for {@link ExperimentsApi#update}: a null field stays as it is; tags
 * given here replace all of them (use {@link ExperimentsApi#setTags} to merge).
 */
public record ExperimentUpdate(String name, String description, String folder, Map<String, String> tags) {
    public ExperimentUpdate {
        tags = tags == null ? null : Map.copyOf(tags);
    }

    public static ExperimentUpdate name(String name) {
        return new ExperimentUpdate(name, null, null, null);
    }

    public static ExperimentUpdate description(String description) {
        return new ExperimentUpdate(null, description, null, null);
    }

    public ExperimentUpdate withName(String n) {
        return new ExperimentUpdate(n, description, folder, tags);
    }

    public ExperimentUpdate withDescription(String d) {
        return new ExperimentUpdate(name, d, folder, tags);
    }

    public ExperimentUpdate withFolder(String f) {
        return new ExperimentUpdate(name, description, f, tags);
    }

    public ExperimentUpdate withTags(Map<String, String> t) {
        return new ExperimentUpdate(name, description, folder, t);
    }
}
