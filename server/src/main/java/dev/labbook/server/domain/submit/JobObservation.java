package dev.labbook.server.domain.submit;

import java.util.UUID;

/**
 * One change the Kubernetes watch saw in a submission's Job or pod.
 *
 * @param runId   from the label {@code labbook.dev/run-id}
 * @param podName the pod, "" when the change is about the Job itself
 * @param state   what it is now
 * @param message why, for FAILED and DELETED, as Kubernetes said it ({@code OOMKilled: ...}); "" otherwise
 */
public record JobObservation(UUID runId, String podName, JobState state, String message) {
}
