package dev.labbook.server.store;

import dev.labbook.server.domain.submit.Submission;
import java.util.Optional;
import java.util.UUID;

/** Submissions of runs to compute targets (one per run), within the caller's transaction. */
public interface SubmissionRepository {
    /** False (nothing written) when the run already has a submission. */
    boolean insert(Submission submission);

    /** With {@code forUpdate} the row stays locked until the transaction ends. */
    Optional<Submission> find(UUID runId, boolean forUpdate);

    /** Writes pod name, state, message and update time. */
    void update(Submission submission);

    void delete(UUID runId);
}
