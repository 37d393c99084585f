package dev.labbook.server.domain.submit;

import dev.labbook.server.domain.RunCancelListener;
import dev.labbook.server.store.TrackingStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the Kubernetes Jobs of submitted runs: after CancelRun (as the run service's
 * {@link RunCancelListener}), and when a pod failed in a way Kubernetes would retry forever. A
 * failure to delete is logged, not thrown: the run's status has changed already, and its runner
 * ends the script when it sees the run canceled.
 */
public final class JobDeletion implements RunCancelListener {
    private static final Logger LOG = LoggerFactory.getLogger(JobDeletion.class);

    private final TrackingStore store;
    private final Map<String, ComputeTarget> targets;
    private final JobLauncher launcher;

    public JobDeletion(TrackingStore store, List<ComputeTarget> targets, JobLauncher launcher) {
        this.store = store;
        this.targets = targets.stream().collect(Collectors.toMap(ComputeTarget::name, Function.identity()));
        this.launcher = launcher;
    }

    /** Deletes the Job of a canceled run, if it was submitted to a server target. */
    @Override
    public void runCanceled(UUID runId) {
        if (targets.isEmpty()) {
            return;
        }
        Optional<Submission> submission = store.inTransaction(tx -> tx.submissions().find(runId, false));
        submission.ifPresent(this::delete);
    }

    /** Deletes the submission's Job (a Job already gone is no error). */
    public void delete(Submission submission) {
        ComputeTarget target = targets.get(submission.computeTarget());
        if (target == null) {
            LOG.warn("run {}: Job {} not deleted: compute target '{}' is no longer configured", submission.runId(),
                    submission.jobName(), submission.computeTarget());
            return;
        }
        try {
            launcher.delete(target, submission.jobName());
        } catch (RuntimeException e) {
            LOG.warn("run {}: deleting Job {} in namespace {} failed", submission.runId(), submission.jobName(),
                    target.namespace(), e);
        }
    }
}
