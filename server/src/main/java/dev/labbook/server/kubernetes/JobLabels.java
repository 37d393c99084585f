package dev.labbook.server.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The labels that mark a submission's Job and pod: the watches select on {@link #MANAGED_BY} and
 * find the run through {@link #RUN_ID}.
 */
final class JobLabels {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY_VALUE = "labbook";
    static final String RUN_ID = "labbook.dev/run-id";

    private JobLabels() {
    }

    static Map<String, String> of(UUID runId) {
        return Map.of(MANAGED_BY, MANAGED_BY_VALUE, RUN_ID, runId.toString());
    }

    /** The run of a labelled object; empty when the label is missing or not a UUID (not ours to report). */
    static Optional<UUID> runId(HasMetadata object) {
        Map<String, String> labels = object.getMetadata() == null ? null : object.getMetadata().getLabels();
        String value = labels == null ? null : labels.get(RUN_ID);
        if (value == null) {
            return Optional.empty();
        }
        try {
            UUID id = UUID.fromString(value);
            // UUID.fromString accepts shortened groups ("1-2-3-4-5"); only the canonical form is a run id.
            return id.toString().equals(value) ? Optional.of(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
