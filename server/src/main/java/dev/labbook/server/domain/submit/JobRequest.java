package dev.labbook.server.domain.submit;

import java.util.UUID;

/**
 * Everything needed to create the Kubernetes Job of one submission (see {@link JobLauncher} for the
 * Job's shape).
 *
 * @param runId      the QUEUED run the pod's runner starts
 * @param project    the run's project (LABBOOK_PROJECT of the pod)
 * @param experiment the run's experiment name (LABBOOK_EXPERIMENT)
 * @param runName    the run's name (LABBOOK_RUN_NAME)
 * @param jobName    the Job's name, {@link JobLauncher#jobName(UUID)}
 * @param target     where
 * @param spec       what
 */
public record JobRequest(UUID runId, String project, String experiment, String runName, String jobName,
        ComputeTarget target, SubmitSpec spec) {
}
