package dev.labbook.server.domain.submit;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.Experiment;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.RunStatusChange.Reason;
import dev.labbook.server.domain.artifact.Artifact;
import dev.labbook.server.domain.artifact.Direction;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submissions of QUEUED runs to the server's compute targets (SubmitRun, GetSubmission,
 * ListComputeTargets), and what the Kubernetes watch sees of their Jobs: a pod that cannot run or
 * dies ends the run FAILED (reason JOB_FAILED), a Job deleted under an unfinished run ends it
 * CANCELED (reason JOB_DELETED). Every replica watches the same Jobs, so {@link #observed} is
 * idempotent: a second report of the same event changes nothing.
 */
public final class SubmitService implements JobObserver {
    /** Tag of a submitted run: the target's name. */
    public static final String TAG_COMPUTE_TARGET = "labbook.compute_target";
    /** Tag of a submitted run: the Job's namespace. */
    public static final String TAG_NAMESPACE = "labbook.k8s.namespace";
    /** Tag of a submitted run: the Job's name. */
    public static final String TAG_JOB = "labbook.k8s.job";
    /** Tag of a submitted run: its (latest) pod, once the watch saw one. */
    public static final String TAG_POD = "labbook.k8s.pod";
    /**
     * Failures Kubernetes keeps retrying with the pod left Pending (a Job with backoffLimit 0 never
     * fails for them): once the run is FAILED the server deletes the Job, or it would wait forever.
     */
    static final List<String> RETRIED_FAILURES = List.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CreateContainerConfigError");
    /** Kubernetes messages can be long (a whole event text); the history keeps their start. */
    static final int MAX_MESSAGE_CHARS = 4_096;

    private static final Logger LOG = LoggerFactory.getLogger(SubmitService.class);

    private final TrackingStore store;
    private final RunService runs;
    private final Map<String, ComputeTarget> targets;
    private final JobLauncher launcher;
    private final JobDeletion jobs;
    private final Clock clock;

    /** A submitted run and its recorded submission. */
    public record Submitted(Run run, Submission submission) {
    }

    public SubmitService(TrackingStore store, RunService runs, List<ComputeTarget> targets, JobLauncher launcher,
            Clock clock) {
        this.store = store;
        this.runs = runs;
        this.targets = targets.stream().sorted(Comparator.comparing(ComputeTarget::name)).collect(
                Collectors.toMap(ComputeTarget::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
        this.launcher = launcher;
        this.jobs = new JobDeletion(store, targets, launcher);
        this.clock = clock;
    }

    /** ListComputeTargets: every target, sorted by name (also those open to other projects only). */
    public List<ComputeTarget> listTargets() {
        return List.copyOf(targets.values());
    }

    /**
     * SubmitRun: checks the spec, the run (QUEUED, not deleted), the target (known, open to the
     * run's project) and the snapshot (an INPUT file artifact of the run within the target's size
     * limit); records the submission and the run's tags in one transaction, then creates the Job.
     * A retry for the same target returns the recorded submission (and asks for the Job again,
     * which exists then); when creating the Job fails, the record is removed so a retry can submit
     * anew, and the error is rethrown.
     */
    public Submitted submit(UUID runId, SubmitSpec requested) {
        if (runId == null) {
            throw new InvalidArgumentException("run_id", "is required");
        }
        SubmitSpec spec = SubmitSpecChecks.check(requested);
        ComputeTarget target = targets.get(spec.computeTarget());
        if (target == null) {
            throw unknownTarget(spec.computeTarget(), targets.isEmpty()
                    ? "this server has no compute targets; see --compute-targets-file"
                    : spec.computeTarget().equals("local")
                    ? "'local' is not a server target: local submissions run on the caller's machine (the SDKs and "
                            + "labbook submit start them without SubmitRun)"
                    : "this server has no compute target '" + spec.computeTarget() + "' (it has: "
                            + String.join(", ", targets.keySet()) + ")");
        }
        if (spec.gpu() > 0 && target.gpuResource().isEmpty()) {
            throw new InvalidArgumentException("spec.resources.gpu", "asks for " + spec.gpu() + " GPUs but compute "
                    + "target '" + target.name() + "' has none (no gpuResource configured)");
        }
        Prepared prepared = store.inTransaction(tx -> prepare(tx, runId, spec, target));
        JobRequest request = new JobRequest(runId, prepared.experiment().project(), prepared.experiment().name(),
                prepared.submitted().run().name(), prepared.submitted().submission().jobName(), target,
                prepared.submitted().submission().spec());
        if (prepared.retry() && prepared.submitted().run().status() != RunStatus.QUEUED) {
            // The pod runs (or ran) it: the Job exists.
            return prepared.submitted();
        }
        try {
            launcher.create(request);
        } catch (RuntimeException e) {
            if (!prepared.retry()) {
                forget(runId);
            }
            throw e;
        }
        return prepared.submitted();
    }

    /** The outcome of SubmitRun's transaction: the submission, whether it was recorded earlier. */
    private record Prepared(Submitted submitted, Experiment experiment, boolean retry) {
    }

    private Prepared prepare(TrackingTransaction tx, UUID runId, SubmitSpec spec, ComputeTarget target) {
        Run run = tx.runs().findById(runId, true).orElseThrow(() -> RunGuards.notFound(runId));
        RunGuards.requireWritable(tx, run);
        Experiment experiment = tx.experiments().findById(run.experimentId(), false)
                .orElseThrow(() -> RunGuards.notFound(runId));
        Optional<Submission> earlier = tx.submissions().find(runId, true);
        if (earlier.isPresent()) {
            Submission submission = earlier.get();
            if (submission.computeTarget().equals(target.name())) {
                return new Prepared(new Submitted(run, submission), experiment, true);
            }
            FailedPreconditionException error = new FailedPreconditionException(ErrorReason.ALREADY_SUBMITTED,
                    "run " + runId + " was already submitted to compute target '" + submission.computeTarget()
                            + "' (Job " + submission.jobName() + "); a run is submitted once");
            error.with("compute_target", submission.computeTarget()).with("job_name", submission.jobName());
            error.about("run", runId);
            throw error;
        }
        if (run.status() != RunStatus.QUEUED) {
            FailedPreconditionException error = new FailedPreconditionException(
                    ErrorReason.INVALID_STATUS_TRANSITION, "run " + runId + " is " + run.status()
                            + "; only a QUEUED run (CreateRun with initial_status QUEUED) can be submitted");
            error.with("status", run.status().name());
            error.about("run", runId);
            throw error;
        }
        if (!target.allows(experiment.project())) {
            throw unknownTarget(target.name(), "compute target '" + target.name() + "' is not open to project '"
                    + experiment.project() + "' (only to: " + String.join(", ", target.projects()) + ")");
        }
        Artifact snapshot = tx.artifacts().findArtifact(runId, spec.snapshotPath())
                .filter(a -> a.direction() == Direction.INPUT && !a.reference())
                .orElseThrow(() -> {
                    NotFoundException error = new NotFoundException(ErrorReason.ARTIFACT_NOT_FOUND, "run " + runId
                            + " has no INPUT file artifact '" + spec.snapshotPath() + "' (spec.snapshot_path): upload "
                            + "the source snapshot before SubmitRun");
                    error.with("field", "spec.snapshot_path");
                    error.about("artifact", runId + "/" + spec.snapshotPath());
                    return error;
                });
        if (snapshot.sizeBytes() > target.maxSnapshotBytes()) {
            ResourceExhaustedException error = new ResourceExhaustedException("spec.snapshot_path: the snapshot '"
                    + spec.snapshotPath() + "' is " + snapshot.sizeBytes() + " bytes; compute target '" + target.name()
                    + "' accepts at most " + target.maxSnapshotBytes() + " (leave large files out with "
                    + ".labbookignore, or upload them as artifacts of their own)");
            error.with("field", "spec.snapshot_path").with("size_bytes", snapshot.sizeBytes())
                    .with("max_bytes", target.maxSnapshotBytes());
            throw error;
        }
        Instant now = now();
        Submission submission = new Submission(runId, spec, target.namespace(), JobLauncher.jobName(runId), "",
                JobState.PENDING, "", now, now);
        if (!tx.submissions().insert(submission)) {
            // Only under the run's row lock: cannot happen, but never overwrite a recorded submission.
            throw new IllegalStateException("run " + runId + " gained a submission under its lock");
        }
        tx.runs().upsertTags(runId, Map.of(TAG_COMPUTE_TARGET, target.name(), TAG_NAMESPACE, target.namespace(),
                TAG_JOB, submission.jobName()));
        save(tx, run.withUpdatedAt(now));
        Run tagged = tx.runs().findById(runId, false).orElseThrow(() -> RunGuards.notFound(runId));
        return new Prepared(new Submitted(tagged, submission), experiment, false);
    }

    /** Removes a submission whose Job could not be created, and its tags: the run is QUEUED as before. */
    private void forget(UUID runId) {
        try {
            store.inTransaction(tx -> {
                tx.submissions().delete(runId);
                tx.runs().removeTags(runId, List.of(TAG_COMPUTE_TARGET, TAG_NAMESPACE, TAG_JOB));
                tx.runs().findById(runId, true).ifPresent(run -> save(tx, run.withUpdatedAt(now())));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("run {}: its Job was not created and its submission record could not be removed", runId, e);
        }
    }

    /** GetSubmission. */
    public Submission get(UUID runId) {
        if (runId == null) {
            throw new InvalidArgumentException("run_id", "is required");
        }
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.submissions().find(runId, false).orElseThrow(() -> {
                NotFoundException error = new NotFoundException(ErrorReason.SUBMISSION_NOT_FOUND, "run " + runId
                        + " was not submitted to a server compute target");
                error.about("run", runId);
                return error;
            });
        });
    }

    /**
     * What the watch saw: records it on the submission (and the pod's name as the run's tag) and,
     * in the same transaction, ends the run when its Job failed or is gone. Only a change is acted
     * on: the watch reports a Job's state again after a reconnect or resync, and a run the user
     * resumed after its pod failed must not fail again; several replicas reporting the same change
     * find it recorded by the first. Observations of runs without a submission (a purged run, a Job
     * this server did not create) are ignored.
     */
    @Override
    public void observed(JobObservation observation) {
        String message = observation.message().length() > MAX_MESSAGE_CHARS
                ? observation.message().substring(0, MAX_MESSAGE_CHARS) : observation.message();
        JobObservation seen = new JobObservation(observation.runId(), observation.podName(), observation.state(),
                message);
        Optional<Submission> recorded = store.inTransaction(tx -> record(tx, seen));
        // Kubernetes would retry these forever: delete the Job, again on every report until it is gone.
        if (recorded.isPresent() && seen.state() == JobState.FAILED
                && RETRIED_FAILURES.stream().anyMatch(seen.message()::startsWith)) {
            jobs.delete(recorded.get());
        }
    }

    private Optional<Submission> record(TrackingTransaction tx, JobObservation seen) {
        // The run's row first, then the submission's, in SubmitRun's order: no deadlock between them.
        Optional<Run> run = tx.runs().findById(seen.runId(), true);
        Optional<Submission> found = run.isEmpty() ? Optional.empty() : tx.submissions().find(seen.runId(), true);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Submission before = found.get();
        Submission after = before.observed(seen, now());
        boolean same = after.state() == before.state() && after.podName().equals(before.podName())
                && after.message().equals(before.message());
        if (same) {
            return Optional.of(before);
        }
        tx.submissions().update(after);
        if (!after.podName().equals(before.podName())) {
            tx.runs().upsertTags(seen.runId(), Map.of(TAG_POD, after.podName()));
            save(tx, run.get().withUpdatedAt(after.updateTime()));
        }
        // A Job deleted after it ended is its cleanup (the TTL's, or the server's after a pull
        // failure), not a cancel: a succeeded Job's runner finished the run (or, if it could not, the
        // run's lease makes it CRASHED); a failed one's run was ended then, and if its user resumed
        // it since, it is theirs.
        boolean cleanedUp = (before.state() == JobState.SUCCEEDED || before.state() == JobState.FAILED)
                && after.state() == JobState.DELETED;
        if (after.state() != before.state() && !cleanedUp) {
            endRun(tx, after);
        }
        return Optional.of(after);
    }

    /** A Job that failed or is gone ends its unfinished run. */
    private void endRun(TrackingTransaction tx, Submission submission) {
        UUID runId = submission.runId();
        switch (submission.state()) {
            case FAILED -> {
                if (runs.endByCompute(tx, runId, RunStatus.FAILED, Reason.JOB_FAILED, submission.message())) {
                    String message = submission.message();
                    LOG.info("run {} FAILED (Job {}): {}", runId, submission.jobName(),
                            message.length() > 300 ? message.substring(0, 300) + "..." : message);
                }
            }
            case DELETED -> {
                if (runs.endByCompute(tx, runId, RunStatus.CANCELED, Reason.JOB_DELETED, submission.message())) {
                    LOG.info("run {} CANCELED: its Job {} was deleted", runId, submission.jobName());
                }
            }
            case PENDING, RUNNING, SUCCEEDED -> {
                // The runner in the pod starts and finishes the run itself.
            }
        }
    }

    private FailedPreconditionException unknownTarget(String name, String message) {
        FailedPreconditionException error = new FailedPreconditionException(ErrorReason.COMPUTE_TARGET_UNKNOWN,
                message);
        error.with("compute_target", name).with("known", String.join(",", targets.keySet()));
        return error;
    }

    private Run save(TrackingTransaction tx, Run next) {
        return next.withRevision(tx.runs().updateState(next));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
