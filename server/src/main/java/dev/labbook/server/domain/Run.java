package dev.labbook.server.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One execution inside an experiment. Params are sorted by key. {@code startTime} is when the
 * run first became RUNNING (null while it never ran, e.g. QUEUED); {@code revision} counts its
 * changes and gives its {@link #etag()}; {@code creator} is the creating caller's principal (empty with access control off).
 */
public record Run(
        UUID id,
        UUID experimentId,
        String name,
        RunStatus status,
        Instant createTime,
        Instant startTime,
        Instant endTime,
        String description,
        Map<String, String> tags,
        UUID parentRunId,
        SourceInfo source,
        List<Param> params,
        Instant updatedAt,
        Instant deletedAt,
        int resumeCount,
        long revision,
        String creator) {

    public Run {
        tags = Map.copyOf(tags);
        params = List.copyOf(params);
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** Changes whenever the run's own fields, tags or params change (AIP-154). */
    public String etag() {
        return Etags.of(id, revision);
    }

    /** Copies with another status and the times and resume count that go with it. */
    public Run withStatus(RunStatus newStatus, Instant newStartTime, Instant newEndTime, int newResumeCount) {
        return new Run(id, experimentId, name, newStatus, createTime, newStartTime, newEndTime, description, tags,
                parentRunId, source, params, updatedAt, deletedAt, newResumeCount, revision, creator);
    }

    public Run withName(String newName) {
        return new Run(id, experimentId, newName, status, createTime, startTime, endTime, description, tags,
                parentRunId, source, params, updatedAt, deletedAt, resumeCount, revision, creator);
    }

    public Run withDescription(String newDescription) {
        return new Run(id, experimentId, name, status, createTime, startTime, endTime, newDescription, tags,
                parentRunId, source, params, updatedAt, deletedAt, resumeCount, revision, creator);
    }

    public Run withUpdatedAt(Instant time) {
        return new Run(id, experimentId, name, status, createTime, startTime, endTime, description, tags,
                parentRunId, source, params, time, deletedAt, resumeCount, revision, creator);
    }

    public Run withDeletedAt(Instant time) {
        return new Run(id, experimentId, name, status, createTime, startTime, endTime, description, tags,
                parentRunId, source, params, updatedAt, time, resumeCount, revision, creator);
    }

    public Run withRevision(long newRevision) {
        return new Run(id, experimentId, name, status, createTime, startTime, endTime, description, tags,
                parentRunId, source, params, updatedAt, deletedAt, resumeCount, newRevision, creator);
    }
}
