package dev.labbook.server.domain;

import java.util.Map;

/** What CreateExperiment asks for; validated by {@link ExperimentService}. */
public record NewExperiment(String project, String name, String description, String folder, Map<String, String> tags) {
    public NewExperiment {
        tags = Map.copyOf(tags);
    }
}
