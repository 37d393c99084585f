package dev.labbook.server.domain;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What CreateRun asks for. {@code initialStatus} must be RUNNING or QUEUED; a non-empty
 * {@code requestId} makes the call retry-safe (AIP-155). A null or empty {@code name} is
 * generated.
 */
public record NewRun(
        UUID experimentId,
        String name,
        String description,
        Map<String, String> tags,
        UUID parentRunId,
        SourceInfo source,
        List<Param> params,
        RunStatus initialStatus,
        String requestId) {

    public NewRun {
        tags = Map.copyOf(tags);
        params = List.copyOf(params);
    }
}
