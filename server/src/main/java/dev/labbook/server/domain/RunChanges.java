package dev.labbook.server.domain;

import java.time.Instant;
import java.util.Optional;

/** The fields an UpdateRun changes; empty optionals stay as they are. */
public record RunChanges(Optional<RunStatus> status, Optional<String> description, Optional<Instant> endTime) {
    public boolean isEmpty() {
        return status.isEmpty() && description.isEmpty() && endTime.isEmpty();
    }
}
