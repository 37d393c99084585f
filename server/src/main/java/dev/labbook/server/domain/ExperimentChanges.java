package dev.labbook.server.domain;

import java.util.Map;
import java.util.Optional;

/** The fields an update changes; empty optionals stay as they are. Tags are replaced whole. */
public record ExperimentChanges(
        Optional<String> name,
        Optional<String> description,
        Optional<String> folder,
        Optional<Map<String, String>> tags) {

    public boolean isEmpty() {
        return name.isEmpty() && description.isEmpty() && folder.isEmpty() && tags.isEmpty();
    }
}
