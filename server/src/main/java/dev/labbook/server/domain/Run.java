package dev.labbook.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One execution inside an experiment. Params are sorted by key. */
public record Run(
        UUID id,
        UUID experimentId,
        String name,
        RunStatus status,
        Instant startTime,
        Instant endTime,
        String description,
        Map<String, String> tags,
        UUID parentRunId,
        SourceInfo source,
        List<Param> params,
        Instant updatedAt,
        Instant deletedAt,
        int resumeCount) {

    public Run {
        tags = Map.copyOf(tags);
        params = List.copyOf(params);
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** Copies with the mutable columns changed (status, description, end, update, delete, resumes). */
    public Run withState(RunStatus newStatus, String newDescription, Instant newEndTime, Instant newUpdatedAt,
            Instant newDeletedAt, int newResumeCount) {
        return new Run(id, experimentId, name, newStatus, startTime, newEndTime, newDescription, tags, parentRunId,
                source, params, newUpdatedAt, newDeletedAt, newResumeCount);
    }
}
