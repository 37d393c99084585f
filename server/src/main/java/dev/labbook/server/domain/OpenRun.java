package dev.labbook.server.domain;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What CreateRun asks for. The experiment is {@code experimentId}, or when that is null the
 * experiment {@code experimentName} of {@code project} (created when missing).
 */
public record OpenRun(
        UUID experimentId,
        String project,
        String experimentName,
        String name,
        String description,
        Map<String, String> tags,
        UUID parentRunId,
        SourceInfo source,
        List<Param> params) {

    public OpenRun {
        tags = Map.copyOf(tags);
        params = List.copyOf(params);
    }
}
