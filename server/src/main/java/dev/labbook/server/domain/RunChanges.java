package dev.labbook.server.domain;

import java.util.Optional;

/**
 * The fields an UpdateRun changes (those named in its update mask); empty optionals stay as
 * they are. The status is not among them: it changes only through the lifecycle calls.
 */
public record RunChanges(Optional<String> name, Optional<String> description) {
    public boolean isEmpty() {
        return name.isEmpty() && description.isEmpty();
    }
}
