package dev.labbook.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What OpenRun asks for. The experiment is {@code experimentId}, or when that is null the
 * experiment {@code experimentName} of {@code project}, created when missing only with
 * {@code createExperimentIfMissing}. A null or empty {@code name} creates a run with a
 * generated name. A non-null {@code startTime} is the start time of a run this call creates
 * (an offline run's real start, uploaded by sync); it is ignored when a run is resumed.
 */
public record OpenRun(
        UUID experimentId,
        String project,
        String experimentName,
        boolean createExperimentIfMissing,
        String name,
        ResumePolicy resume,
        String description,
        Map<String, String> tags,
        UUID parentRunId,
        SourceInfo source,
        List<Param> params,
        Instant startTime) {

    public OpenRun {
        tags = Map.copyOf(tags);
        params = List.copyOf(params);
    }
}
