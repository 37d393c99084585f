package dev.labbook.server.domain.submit;

import java.time.Instant;
import java.util.UUID;

/**
 * A run's submission to a server compute target, as recorded: the spec as submitted, its Job,
 * and what the server's watch last saw of the Job and its pod.
 *
 * @param podName    the Job's (latest) pod; "" until one was seen
 * @param state      what was last seen; PENDING right after the submission
 * @param message    why the Job failed or was deleted, as Kubernetes said it; "" otherwise
 * @param updateTime when a change of the Job or pod was last recorded
 */
public record Submission(UUID runId, SubmitSpec spec, String namespace, String jobName, String podName,
        JobState state, String message, Instant createTime, Instant updateTime) {

    /** The target the run was submitted to. */
    public String computeTarget() {
        return spec.computeTarget();
    }

    /** This submission after an observation of its Job or pod at {@code time}. */
    public Submission observed(JobObservation observation, Instant time) {
        // A Job deleted after its pod failed keeps the failure's message: it says more than "" or
        // the watch's "Job NS/NAME was deleted" (the Job of a failed pod is deleted by the server or its TTL).
        boolean keep = observation.state() == JobState.DELETED
                && (observation.message().isEmpty() || state == JobState.FAILED);
        String nextMessage = keep ? message : observation.message();
        return new Submission(runId, spec, namespace, jobName,
                observation.podName().isEmpty() ? podName : observation.podName(), observation.state(),
                nextMessage, createTime, time);
    }
}
