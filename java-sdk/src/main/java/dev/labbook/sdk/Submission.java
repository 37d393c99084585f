package dev.labbook.sdk;

/**
 * A run's submission to a server compute target: its Kubernetes Job and pod, and what the server
 * last saw of them.
 *
 * @param state e.g. {@code pending}, {@code running}, {@code succeeded}, {@code failed}, {@code deleted}
 * @param message why it failed or was deleted, as Kubernetes said it ({@code OOMKilled: ...}); empty otherwise
 * @param podName empty until the server has seen the Job's pod
 */
public record Submission(String runId, String computeTarget, String namespace, String jobName, String podName,
        String state, String message, long createTimeMs, long updateTimeMs) {
}
