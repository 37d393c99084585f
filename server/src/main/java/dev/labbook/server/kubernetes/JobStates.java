package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.JobState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.List;
import java.util.Optional;

/**
 * What a submission's Job says of itself: only its end by the Job controller is reported here
 * (DeadlineExceeded, BackoffLimitExceeded); how its pod runs comes from the pod.
 */
final class JobStates {
    private JobStates() {
    }

    static Optional<Observed> of(Job job) {
        List<JobCondition> conditions = job.getStatus() == null || job.getStatus().getConditions() == null
                ? List.of() : job.getStatus().getConditions();
        return conditions.stream()
                .filter(condition -> "Failed".equals(condition.getType()) && "True".equals(condition.getStatus()))
                .findFirst()
                .map(failed -> Observed.failed(PodStates.reasonAndMessage(
                        failed.getReason() == null || failed.getReason().isEmpty() ? "Failed" : failed.getReason(),
                        failed.getMessage())));
    }

    static Observed deleted(Job job) {
        return new Observed(JobState.DELETED,
                "Job " + job.getMetadata().getNamespace() + "/" + job.getMetadata().getName() + " was deleted");
    }
}
