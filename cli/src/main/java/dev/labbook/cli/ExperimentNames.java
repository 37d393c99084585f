package dev.labbook.cli;

import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.LabbookClient;
import java.util.HashMap;
import java.util.Map;

/** Experiment names by id, looked up once per command, for tables that show runs. */
final class ExperimentNames {
    private final LabbookClient client;
    private final Map<String, String> names = new HashMap<>();

    ExperimentNames(LabbookClient client, String project) {
        this.client = client;
        for (ExperimentInfo e : client.experiments().listAll(project)) {
            names.put(e.id(), e.name());
        }
    }

    String of(String experimentId) {
        return names.computeIfAbsent(experimentId, id -> client.experiments().get(id).name());
    }
}
