package dev.labbook.server.store;

import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.Param;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunStatusChange;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Runs with their tags, params and status history, within the caller's transaction. */
public interface RunRepository {
    /**
     * Inserts with tags and params, remembering {@code requestId} (null for none); false
     * (nothing written) when the name or the request id is taken in the experiment.
     */
    boolean insert(Run run, String requestId);

    /** With {@code forUpdate} the row stays locked until the transaction ends. */
    Optional<Run> findById(UUID id, boolean forUpdate);

    /**
     * The project of each of these runs that exists, deleted or not (access checks: a run never
     * changes experiment, nor an experiment project).
     */
    java.util.Map<UUID, String> projectsOf(java.util.Collection<UUID> runIds);

    Optional<Run> findByName(UUID experimentId, String nameKey, boolean forUpdate);

    /** The run a CreateRun with this request id made in the experiment. */
    Optional<Run> findByRequestId(UUID experimentId, String requestId);

    /** Newest first, ids below {@code beforeId} when given; children of {@code parentRunId} when given. */
    List<Run> list(UUID experimentId, UUID parentRunId, Lifecycle lifecycle, UUID beforeId, int limit);

    /**
     * Writes status, description, start, end, update and delete times and resume count, and
     * bumps the revision in the same statement; returns the new revision.
     */
    long updateState(Run run);

    /** Renames the run; false (nothing written) when the name is taken in its experiment. */
    boolean rename(UUID runId, String name);

    void upsertTags(UUID runId, Map<String, String> tags);

    void removeTags(UUID runId, Collection<String> keys);

    Map<String, String> tags(UUID runId);

    void upsertParams(UUID runId, List<Param> params, Instant time);

    void recordStatusChange(UUID runId, RunStatusChange change);

    /** Sets when the run's lease expires (whatever its status; only RUNNING runs expire). */
    void setLease(UUID runId, Instant expiresAt);

    /** Sets the lease of a RUNNING, not deleted run; false (nothing written) for any other run. */
    boolean renewRunningLease(UUID runId, Instant expiresAt);

    /**
     * The lease expiry pass: makes every RUNNING run whose lease expired before {@code now}
     * CRASHED (bumping revision and update time) in one statement; returns their ids.
     */
    List<UUID> crashExpired(Instant now);

    List<RunStatusChange> statusHistory(UUID runId);

    /** Deletes the run, its descendants and all their data; returns the ids of the runs removed. */
    List<UUID> purge(UUID runId);
}
