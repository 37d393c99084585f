package dev.labbook.server.domain.submit;

import java.util.UUID;

/**
 * Creates and deletes the Kubernetes Jobs of submissions (implemented outside the domain, in
 * {@code dev.labbook.server.kubernetes}). The Job it creates for a {@link JobRequest}:
 * <ul>
 * <li>name {@link #jobName(UUID)} in the target's namespace; labels (on the Job and its pod template)
 * {@code app.kubernetes.io/managed-by=labbook} and {@code labbook.dev/run-id=<run id>};</li>
 * <li>one container {@code script}: the spec's image or the target's default; working directory
 * {@code /workspace} (an emptyDir); command {@code python -m labbook.runner --snapshot <snapshotPath>
 * [--requirement R]... -- python <script> <arguments...>} for a {@code .py} script, {@code ... -- ./<script>
 * <arguments...>} for any other file of the snapshot;</li>
 * <li>environment: the spec's variables, then LABBOOK_TRACKING_URI (the target's trackingUri),
 * LABBOOK_PROJECT, LABBOOK_EXPERIMENT, LABBOOK_RUN_ID, LABBOOK_RUN_NAME, PYTHONUNBUFFERED=1, and with a
 * tokenAudience LABBOOK_TOKEN_FILE=/var/run/secrets/labbook.dev/token (a projected ServiceAccount token
 * of that audience; the default token is not mounted);</li>
 * <li>resources: cpu and memory as requests and limits, gpu as a limit of the target's gpuResource;
 * serviceAccountName, nodeSelector, tolerations, imagePullSecrets from the target; restartPolicy Never,
 * backoffLimit 0, activeDeadlineSeconds and ttlSecondsAfterFinished from the target.</li>
 * </ul>
 */
public interface JobLauncher {
    /**
     * Creates the Job; a Job of that name that already exists counts as created (a retried submit).
     *
     * @throws dev.labbook.server.domain.UnavailableException when the Kubernetes API does not answer (or
     *         answers 5xx, 408, 429): the same call may work later
     * @throws dev.labbook.server.domain.FailedPreconditionException (COMPUTE_REFUSED) when it refuses for good
     *         (403, 404, 422...)
     */
    void create(JobRequest request);

    /** Deletes the Job and its pods; a Job already gone is not an error. */
    void delete(ComputeTarget target, String jobName);

    /** The Job name of a run's submission: {@code labbook-<run id>} (a valid DNS-1123 label). */
    static String jobName(UUID runId) {
        return "labbook-" + runId;
    }
}
