package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CreateArtifactReferenceRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.Direction;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.GetSubmissionRequest;
import dev.labbook.api.v1.ListComputeTargetsRequest;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.RunStatusChange;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.api.v1.SubmitEnvironment;
import dev.labbook.api.v1.SubmitResources;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitRunResponse;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.api.v1.SubmitSpec;
import dev.labbook.api.v1.Submission;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.ComputeConnector;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.Setting;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobObservation;
import dev.labbook.server.domain.submit.JobObserver;
import dev.labbook.server.domain.submit.JobRequest;
import dev.labbook.server.domain.submit.JobState;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.LocalServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SubmitService over real gRPC on a server with two compute targets, its Jobs launched by a
 * recording launcher in place of Kubernetes (the server's {@link ComputeConnector} seam): what the
 * server checks, records and asks the launcher for, and what it makes of the watch's observations.
 */
class SubmitRunIT {
    private static final String SNAPSHOT = "snapshot/source.tar.gz";
    private static final ComputeTarget CPU = new ComputeTarget("cpu", "training", "runner:1", "labbook-runner",
            "labbook.labbook.svc:7800", "labbook", Map.of("pool", "cpu"), List.of(), "", 1_000, List.of(), 0, 86_400,
            List.of());
    private static final ComputeTarget GPU = new ComputeTarget("gpu", "vision-jobs", "runner-gpu:1", "", "labbook:7800",
            "", Map.of(), List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists")), "nvidia.com/gpu", 1_000_000,
            List.of("vision"), 3600, -1, List.of());
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static final RecordingLauncher launcher = new RecordingLauncher();
    private static LabbookServer server;
    private static ManagedChannel channel;
    private static JobObserver observer;
    private static boolean computeClosed;

    /** Records every call in order; a create can be made to fail as an unreachable API would. */
    static final class RecordingLauncher implements JobLauncher {
        final List<Object> calls = Collections.synchronizedList(new ArrayList<>());
        volatile boolean unavailable;

        record Delete(ComputeTarget target, String jobName) {
        }

        @Override
        public void create(JobRequest request) {
            calls.add(request);
            if (unavailable) {
                throw new UnavailableException(ErrorReason.COMPUTE_UNAVAILABLE, "the Kubernetes API did not answer", null);
            }
        }

        @Override
        public void delete(ComputeTarget target, String jobName) {
            calls.add(new Delete(target, jobName));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("labbook-submit-it");
        server = LabbookServer.start(LocalServerConfig.load("labbook_submit_it", dir, Map.of(Setting.HTTP_PORT, "0"))
                .withComputeTargets(List.of(GPU, CPU)), (targets, jobObserver) -> {
                    assertThat(targets).containsExactly(GPU, CPU);
                    observer = jobObserver;
                    return new ComputeConnector.Connection(launcher, () -> computeClosed = true);
                });
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
        assertThat(computeClosed).as("the compute connection is closed with the server").isTrue();
    }

    @BeforeEach
    void resetLauncher() {
        launcher.calls.clear();
        launcher.unavailable = false;
    }

    private static SubmitServiceGrpc.SubmitServiceBlockingStub submit() {
        return SubmitServiceGrpc.newBlockingStub(channel);
    }

    private static RunServiceGrpc.RunServiceBlockingStub runs() {
        return RunServiceGrpc.newBlockingStub(channel);
    }

    private static Run queuedRun(String project) {
        String experiment = ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(CreateExperimentRequest
                .newBuilder().setProject(project).setName("submit-" + NAMES.incrementAndGet()).build())
                .getExperiment().getId();
        return runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment)
                .setName("train-" + NAMES.incrementAndGet()).setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build())
                .getRun();
    }

    private static void upload(String runId, String path, Direction direction, int size) {
        byte[] data = ArtifactTransfers.content(0, size, size);
        ArtifactTransfers.upload(channel, UploadHeader.newBuilder().setRunId(runId).setPath(path)
                .setDirection(direction).setSizeBytes(size).setSha256(ArtifactTransfers.sha256(data)).build(),
                data, 64 * 1024, -1);
    }

    /** A QUEUED run of {@code project} with a snapshot of {@code size} bytes. */
    private static Run submittable(String project, int size) {
        Run run = queuedRun(project);
        upload(run.getId(), SNAPSHOT, Direction.DIRECTION_INPUT, size);
        return run;
    }

    private static SubmitSpec.Builder spec(String target) {
        return SubmitSpec.newBuilder().setComputeTarget(target).setScript("src/train.py")
                .addArguments("--lr").addArguments("0.1 with spaces").setSnapshotPath(SNAPSHOT);
    }

    private static SubmitRunResponse submitRun(String runId, SubmitSpec.Builder spec) {
        return submit().submitRun(SubmitRunRequest.newBuilder().setRunId(runId).setSpec(spec).build());
    }

    private static GetRunResponse getRun(String runId) {
        return runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    private static Submission submission(String runId) {
        return submit().getSubmission(GetSubmissionRequest.newBuilder().setRunId(runId).build()).getSubmission();
    }

    @Test
    void listsTheConfiguredTargetsByName() {
        var targets = submit().listComputeTargets(ListComputeTargetsRequest.getDefaultInstance()).getTargetsList();

        assertThat(targets).extracting(t -> t.getName()).containsExactly("cpu", "gpu");
        assertThat(targets.get(1).getNamespace()).isEqualTo("vision-jobs");
        assertThat(targets.get(1).getDefaultImage()).isEqualTo("runner-gpu:1");
        assertThat(targets.get(1).getMaxSnapshotBytes()).isEqualTo(1_000_000);
        assertThat(targets.get(1).getGpuResource()).isEqualTo("nvidia.com/gpu");
        assertThat(targets.get(1).getProjectsList()).containsExactly("vision");
        assertThat(targets.get(0).getProjectsList()).isEmpty();
    }

    @Test
    void recordsTheSubmissionTagsTheRunAndCreatesItsJob() {
        Run run = submittable("default", 1_000);
        SubmitSpec.Builder spec = spec("cpu").setEnvironment(SubmitEnvironment.newBuilder().setImage("custom:2")
                .addPipRequirements("numpy==2.1").putVariables("EPOCHS", "3"))
                .setResources(SubmitResources.newBuilder().setCpu("500m").setMemory("4Gi"));

        SubmitRunResponse response = submitRun(run.getId(), spec);

        String jobName = "labbook-" + run.getId();
        assertThat(response.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(response.getRun().getTagsMap()).containsEntry("labbook.compute_target", "cpu")
                .containsEntry("labbook.k8s.namespace", "training").containsEntry("labbook.k8s.job", jobName);
        Submission submission = response.getSubmission();
        assertThat(submission.getRunId()).isEqualTo(run.getId());
        assertThat(submission.getSpec()).isEqualTo(spec.build());
        assertThat(submission.getNamespace()).isEqualTo("training");
        assertThat(submission.getJobName()).isEqualTo(jobName);
        assertThat(submission.getPodName()).isEmpty();
        assertThat(submission.getState()).isEqualTo("pending");
        assertThat(submission.getCreateTimeMs()).isPositive().isEqualTo(submission.getUpdateTimeMs());
        assertThat(submission(run.getId())).isEqualTo(submission);
        assertThat(getRun(run.getId()).getRun().getTagsMap()).containsEntry("labbook.k8s.job", jobName);

        String experiment = ExperimentServiceGrpc.newBlockingStub(channel).getExperiment(
                dev.labbook.api.v1.GetExperimentRequest.newBuilder().setExperimentId(run.getExperimentId()).build())
                .getExperiment().getName();
        assertThat(launcher.calls).containsExactly(new JobRequest(UUID.fromString(run.getId()), "default", experiment,
                run.getName(), jobName, CPU, new dev.labbook.server.domain.submit.SubmitSpec("cpu", "src/train.py",
                        List.of("--lr", "0.1 with spaces"), SNAPSHOT, "custom:2", List.of("numpy==2.1"),
                        Map.of("EPOCHS", "3"), "500m", "4Gi", 0)));
    }

    @Test
    void aRetryReturnsTheRecordedSubmissionAndAnotherTargetIsRefused() {
        Run run = submittable("vision", 1_000);
        Submission first = submitRun(run.getId(), spec("cpu")).getSubmission();

        Submission again = submitRun(run.getId(), spec("cpu")).getSubmission();

        assertThat(again).isEqualTo(first);
        // The run is still QUEUED: the Job is asked for again (it exists; creating it is idempotent).
        assertThat(launcher.calls).hasSize(2).allMatch(JobRequest.class::isInstance);

        var refused = assertReason(Status.Code.FAILED_PRECONDITION, "ALREADY_SUBMITTED",
                () -> submitRun(run.getId(), spec("gpu")));
        assertThat(errorInfo(refused).orElseThrow().getMetadataMap()).containsEntry("compute_target", "cpu")
                .containsEntry("job_name", "labbook-" + run.getId());

        runs().startRun(StartRunRequest.newBuilder().setRunId(run.getId()).build());
        assertThat(submitRun(run.getId(), spec("cpu")).getSubmission()).isEqualTo(first);
        assertThat(launcher.calls).as("a started run's Job is not asked for again").hasSize(2);
    }

    @Test
    void aJobThatCannotBeCreatedLeavesTheRunQueuedAndUnsubmittedForARetry() {
        Run run = submittable("default", 10);
        launcher.unavailable = true;

        assertReason(Status.Code.UNAVAILABLE, "COMPUTE_UNAVAILABLE", () -> submitRun(run.getId(), spec("cpu")));

        assertReason(Status.Code.NOT_FOUND, "SUBMISSION_NOT_FOUND", () -> submission(run.getId()));
        GetRunResponse after = getRun(run.getId());
        assertThat(after.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(after.getRun().getTagsMap()).doesNotContainKeys("labbook.compute_target", "labbook.k8s.job");

        launcher.unavailable = false;
        assertThat(submitRun(run.getId(), spec("cpu")).getSubmission().getJobName()).isEqualTo("labbook-" + run.getId());
        assertThat(launcher.calls).hasSize(2);
    }

    @Test
    void refusesBadSpecFieldsNamingEachField() {
        Run run = submittable("default", 10);
        String id = run.getId();

        assertInvalidField("run_id", () -> submitRun("nope", spec("cpu")));
        assertInvalidField("spec", () -> submit().submitRun(SubmitRunRequest.newBuilder().setRunId(id).build()));
        assertInvalidField("spec.compute_target", () -> submitRun(id, spec("")));
        assertInvalidField("spec.script", () -> submitRun(id, spec("cpu").setScript("")));
        assertInvalidField("spec.script", () -> submitRun(id, spec("cpu").setScript("../train.py")));
        assertInvalidField("spec.script", () -> submitRun(id, spec("cpu").setScript("src/../../x.py")));
        assertInvalidField("spec.script", () -> submitRun(id, spec("cpu").setScript("/abs/train.py")));
        assertInvalidField("spec.snapshot_path", () -> submitRun(id, spec("cpu").setSnapshotPath("")));
        assertInvalidField("spec.arguments", () -> submitRun(id, spec("cpu").clearArguments()
                .addAllArguments(Collections.nCopies(1_001, "x"))));
        assertInvalidField("spec.arguments[2]", () -> submitRun(id, spec("cpu").addArguments("x".repeat(64 * 1024 + 1))));
        assertInvalidField("spec.environment.image", () -> submitRun(id, spec("cpu")
                .setEnvironment(SubmitEnvironment.newBuilder().setImage("two words"))));
        assertInvalidField("spec.environment.pip_requirements", () -> submitRun(id, spec("cpu")
                .setEnvironment(SubmitEnvironment.newBuilder().addAllPipRequirements(Collections.nCopies(201, "x")))));
        assertInvalidField("spec.environment.pip_requirements[1]", () -> submitRun(id, spec("cpu")
                .setEnvironment(SubmitEnvironment.newBuilder().addPipRequirements("numpy")
                        .addPipRequirements("--index-url=http://evil"))));
        SubmitEnvironment.Builder many = SubmitEnvironment.newBuilder();
        for (int i = 0; i <= 100; i++) {
            many.putVariables("V" + i, "x");
        }
        assertInvalidField("spec.environment.variables", () -> submitRun(id, spec("cpu").setEnvironment(many)));
        assertInvalidField("spec.environment.variables[LABBOOK_RUN_ID]", () -> submitRun(id, spec("cpu")
                .setEnvironment(SubmitEnvironment.newBuilder().putVariables("LABBOOK_RUN_ID", "other"))));
        assertInvalidField("spec.environment.variables[1X]", () -> submitRun(id, spec("cpu")
                .setEnvironment(SubmitEnvironment.newBuilder().putVariables("1X", "v"))));
        assertInvalidField("spec.resources.cpu", () -> submitRun(id, spec("cpu")
                .setResources(SubmitResources.newBuilder().setCpu("two"))));
        assertInvalidField("spec.resources.memory", () -> submitRun(id, spec("cpu")
                .setResources(SubmitResources.newBuilder().setMemory("4GB"))));
        assertInvalidField("spec.resources.gpu", () -> submitRun(id, spec("cpu")
                .setResources(SubmitResources.newBuilder().setGpu(-1))));
        var noGpus = assertInvalidField("spec.resources.gpu", () -> submitRun(id, spec("cpu")
                .setResources(SubmitResources.newBuilder().setGpu(1))));
        assertThat(noGpus.getStatus().getDescription()).contains("compute target 'cpu' has none");

        assertThat(launcher.calls).isEmpty();
        assertReason(Status.Code.NOT_FOUND, "SUBMISSION_NOT_FOUND", () -> submission(id));
    }

    @Test
    void refusesRunsThatCannotBeSubmitted() {
        assertReason(Status.Code.NOT_FOUND, "RUN_NOT_FOUND", () -> submitRun(UUID.randomUUID().toString(), spec("cpu")));

        Run running = submittable("default", 10);
        runs().startRun(StartRunRequest.newBuilder().setRunId(running.getId()).build());
        var notQueued = assertReason(Status.Code.FAILED_PRECONDITION, "INVALID_STATUS_TRANSITION",
                () -> submitRun(running.getId(), spec("cpu")));
        assertThat(errorInfo(notQueued).orElseThrow().getMetadataMap()).containsEntry("status", "RUNNING");

        Run deleted = submittable("default", 10);
        runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(deleted.getId()).build());
        assertReason(Status.Code.FAILED_PRECONDITION, "RUN_DELETED", () -> submitRun(deleted.getId(), spec("cpu")));

        assertThat(launcher.calls).isEmpty();
    }

    @Test
    void refusesUnknownTargetsAndTargetsClosedToTheProject() {
        Run run = submittable("default", 10);

        var unknown = assertReason(Status.Code.FAILED_PRECONDITION, "COMPUTE_TARGET_UNKNOWN",
                () -> submitRun(run.getId(), spec("tpu")));
        assertThat(errorInfo(unknown).orElseThrow().getMetadataMap()).containsEntry("compute_target", "tpu")
                .containsEntry("known", "cpu,gpu");
        assertThat(unknown.getStatus().getDescription()).contains("no compute target 'tpu'");
        var local = assertReason(Status.Code.FAILED_PRECONDITION, "COMPUTE_TARGET_UNKNOWN",
                () -> submitRun(run.getId(), spec("local")));
        assertThat(local.getStatus().getDescription()).contains("'local' is not a server target");
        var closed = assertReason(Status.Code.FAILED_PRECONDITION, "COMPUTE_TARGET_UNKNOWN",
                () -> submitRun(run.getId(), spec("gpu")));
        assertThat(closed.getStatus().getDescription()).contains("not open to project 'default'");
        assertThat(errorInfo(closed).orElseThrow().getMetadataMap()).containsEntry("compute_target", "gpu");

        Run vision = submittable("vision", 10);
        submitRun(vision.getId(), spec("gpu").setResources(SubmitResources.newBuilder().setGpu(2)));
        assertThat(launcher.calls).singleElement().extracting(c -> ((JobRequest) c).target()).isEqualTo(GPU);
    }

    @Test
    void theSnapshotMustBeAnInputFileOfTheRunWithinTheTargetsLimit() {
        Run none = queuedRun("default");
        var missing = assertReason(Status.Code.NOT_FOUND, "ARTIFACT_NOT_FOUND", () -> submitRun(none.getId(), spec("cpu")));
        assertThat(errorInfo(missing).orElseThrow().getMetadataMap()).containsEntry("field", "spec.snapshot_path");

        Run output = queuedRun("default");
        upload(output.getId(), SNAPSHOT, Direction.DIRECTION_OUTPUT, 10);
        assertReason(Status.Code.NOT_FOUND, "ARTIFACT_NOT_FOUND", () -> submitRun(output.getId(), spec("cpu")));

        Run reference = queuedRun("default");
        dev.labbook.api.v1.ArtifactServiceGrpc.newBlockingStub(channel).createArtifactReference(
                CreateArtifactReferenceRequest.newBuilder().setRunId(reference.getId()).setName(SNAPSHOT)
                        .setUri("s3://elsewhere/source.tar.gz").setDirection(Direction.DIRECTION_INPUT).build());
        assertReason(Status.Code.NOT_FOUND, "ARTIFACT_NOT_FOUND", () -> submitRun(reference.getId(), spec("cpu")));

        Run large = submittable("default", 1_001);
        var tooLarge = assertReason(Status.Code.RESOURCE_EXHAUSTED, "LIMIT_EXCEEDED",
                () -> submitRun(large.getId(), spec("cpu")));
        assertThat(errorInfo(tooLarge).orElseThrow().getMetadataMap()).containsEntry("field", "spec.snapshot_path")
                .containsEntry("size_bytes", "1001").containsEntry("max_bytes", "1000");
        assertThat(tooLarge.getStatus().getDescription()).startsWith("spec.snapshot_path: ")
                .contains("1001 bytes").contains("at most 1000");

        assertThat(launcher.calls).isEmpty();
    }

    @Test
    void aPodThatDiesEndsTheRunFailedWithWhatKubernetesSaid() {
        Run run = submittable("default", 10);
        submitRun(run.getId(), spec("cpu"));
        UUID id = UUID.fromString(run.getId());
        runs().startRun(StartRunRequest.newBuilder().setRunId(run.getId()).build());

        observer.observed(new JobObservation(id, "labbook-" + id + "-x7k2p", JobState.RUNNING, ""));
        Submission running = submission(run.getId());
        assertThat(running.getState()).isEqualTo("running");
        assertThat(running.getPodName()).isEqualTo("labbook-" + id + "-x7k2p");
        assertThat(getRun(run.getId()).getRun().getTagsMap()).containsEntry("labbook.k8s.pod", "labbook-" + id + "-x7k2p");

        String oom = "OOMKilled: container script exceeded its memory limit";
        observer.observed(new JobObservation(id, "", JobState.FAILED, oom));
        // Every replica reports it: the second report changes nothing.
        observer.observed(new JobObservation(id, "", JobState.FAILED, oom));

        GetRunResponse failed = getRun(run.getId());
        assertThat(failed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        assertThat(failed.getStatusHistoryList()).filteredOn(c -> c.getReason().equals("job_failed")).singleElement()
                .satisfies(change -> {
                    assertThat(change.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
                    assertThat(change.getToStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
                    assertThat(change.getMessage()).isEqualTo(oom);
                });
        Submission recorded = submission(run.getId());
        assertThat(recorded.getState()).isEqualTo("failed");
        assertThat(recorded.getMessage()).isEqualTo(oom);
        assertThat(recorded.getPodName()).as("kept from the earlier observation").endsWith("-x7k2p");
        assertThat(launcher.calls).as("an OOMKilled pod's Job has ended: nothing to delete").hasSize(1);

        // Resumed by its user, the run is not failed again by the watch re-reporting the Job after a resync.
        runs().resumeRun(dev.labbook.api.v1.ResumeRunRequest.newBuilder().setRunId(run.getId()).build());
        observer.observed(new JobObservation(id, "", JobState.FAILED, oom));
        assertThat(getRun(run.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
    }

    @Test
    void anImageThatCannotBePulledFailsTheRunAndDeletesItsJob() {
        Run run = submittable("default", 10);
        submitRun(run.getId(), spec("cpu"));
        UUID id = UUID.fromString(run.getId());

        observer.observed(new JobObservation(id, "labbook-" + id + "-abcde", JobState.FAILED,
                "ImagePullBackOff: Back-off pulling image \"runner:1\""));

        GetRunResponse failed = getRun(run.getId());
        assertThat(failed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        RunStatusChange last = failed.getStatusHistory(failed.getStatusHistoryCount() - 1);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(last.getReason()).isEqualTo("job_failed");
        assertThat(last.getMessage()).startsWith("ImagePullBackOff: ");
        assertThat(launcher.calls).hasSize(2).last()
                .isEqualTo(new RecordingLauncher.Delete(CPU, "labbook-" + id));

        // Reported again (the Job is still there): deleted again, the run failed once.
        observer.observed(new JobObservation(id, "", JobState.FAILED, "ImagePullBackOff: Back-off pulling image"));
        assertThat(launcher.calls).hasSize(3).last().isEqualTo(new RecordingLauncher.Delete(CPU, "labbook-" + id));
        // Then gone: the submission keeps why it failed.
        observer.observed(new JobObservation(id, "", JobState.DELETED, ""));
        Submission gone = submission(run.getId());
        assertThat(gone.getState()).isEqualTo("deleted");
        assertThat(gone.getMessage()).startsWith("ImagePullBackOff: ");
        assertThat(getRun(run.getId()).getStatusHistoryList()).extracting(RunStatusChange::getReason)
                .containsExactly("create", "job_failed");
    }

    @Test
    void aDeletedJobCancelsAnUnfinishedRunOnly() {
        Run run = submittable("default", 10);
        submitRun(run.getId(), spec("cpu"));
        UUID id = UUID.fromString(run.getId());

        observer.observed(new JobObservation(id, "", JobState.DELETED, ""));

        GetRunResponse canceled = getRun(run.getId());
        assertThat(canceled.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(canceled.getStatusHistoryList()).extracting(RunStatusChange::getReason)
                .containsExactly("create", "job_deleted");
        assertThat(submission(run.getId()).getState()).isEqualTo("deleted");

        Run completed = submittable("default", 10);
        submitRun(completed.getId(), spec("cpu"));
        runs().startRun(StartRunRequest.newBuilder().setRunId(completed.getId()).build());
        runs().finishRun(FinishRunRequest.newBuilder().setRunId(completed.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
        UUID completedId = UUID.fromString(completed.getId());
        observer.observed(new JobObservation(completedId, "", JobState.SUCCEEDED, ""));
        observer.observed(new JobObservation(completedId, "", JobState.DELETED, ""));
        assertThat(getRun(completed.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);

        // A succeeded Job removed by its TTL leaves the run to its runner (and its lease).
        Run succeeded = submittable("default", 10);
        submitRun(succeeded.getId(), spec("cpu"));
        runs().startRun(StartRunRequest.newBuilder().setRunId(succeeded.getId()).build());
        UUID succeededId = UUID.fromString(succeeded.getId());
        observer.observed(new JobObservation(succeededId, "", JobState.SUCCEEDED, ""));
        observer.observed(new JobObservation(succeededId, "", JobState.DELETED, ""));
        assertThat(getRun(succeeded.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(submission(succeeded.getId()).getState()).isEqualTo("deleted");

        // Observations of Jobs without a submission (another server's, a purged run's) are ignored.
        observer.observed(new JobObservation(UUID.randomUUID(), "", JobState.FAILED, "OOMKilled"));
    }

    @Test
    void cancelingASubmittedRunDeletesItsJobOnce() {
        Run run = submittable("default", 10);
        submitRun(run.getId(), spec("cpu"));
        Run plain = queuedRun("default");

        runs().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
        runs().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
        runs().cancelRun(CancelRunRequest.newBuilder().setRunId(plain.getId()).build());

        assertThat(launcher.calls).hasSize(2);
        assertThat(launcher.calls.get(0)).isInstanceOf(JobRequest.class);
        assertThat(launcher.calls.get(1)).isEqualTo(new RecordingLauncher.Delete(CPU, "labbook-" + run.getId()));
        assertThat(getRun(run.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
    }

    @Test
    void purgingARunRemovesItsSubmission() throws Exception {
        Run run = submittable("default", 10);
        submitRun(run.getId(), spec("cpu"));
        assertThat(submissionRows(run.getId())).isEqualTo(1);

        runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(run.getId()).build());

        assertThat(submissionRows(run.getId())).isZero();
        assertReason(Status.Code.NOT_FOUND, "RUN_NOT_FOUND", () -> submission(run.getId()));
    }

    private static int submissionRows(String runId) throws Exception {
        DatabaseEndpoint db = server.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM run_submission WHERE run_id = ?")) {
            count.setObject(1, UUID.fromString(runId));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
