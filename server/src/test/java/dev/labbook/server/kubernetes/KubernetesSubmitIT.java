package dev.labbook.server.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.Direction;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.GetSubmissionRequest;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.RunStatusChange;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.api.v1.SubmitEnvironment;
import dev.labbook.api.v1.SubmitResources;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.api.v1.SubmitSpec;
import dev.labbook.api.v1.Submission;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.ComputeConnector;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.Setting;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.LocalServerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Submissions end to end: a Labbook server (real gRPC, embedded PostgreSQL) whose compute is the
 * real {@link KubernetesCompute} on fabric8's Kubernetes API server in memory (CRUD mode, over
 * HTTP). The test plays the user through the public gRPC API only, and the Job controller, the
 * kubelet and kubectl through the Kubernetes API.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesSubmitIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SNAPSHOT = "snapshot/source.tar.gz";
    /** Everything a target can set, set. */
    private static final ComputeTarget GPU = new ComputeTarget("gpu", "training", "ghcr.io/acme/labbook-runner:0.1.0",
            "labbook-runner", "labbook.labbook.svc.cluster.local:7800", "labbook", Map.of("pool", "gpu"),
            List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")),
            "nvidia.com/gpu", 1 << 20, List.of(), 7200, 86_400, List.of());
    /** Nothing optional set. */
    private static final ComputeTarget CPU = new ComputeTarget("cpu", "batch", "python:3.12-slim", "", "labbook:7800",
            "", Map.of(), List.of(), "", 1 << 20, List.of(), 0, -1, List.of());
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Set by the mock server's extension: one Kubernetes API server for the class. */
    static KubernetesMockServer kubernetes;
    /** The test's own client: the Job controller, the kubelet and kubectl. */
    static KubernetesClient kubectl;

    private static KubernetesCompute compute;
    private static LabbookServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("labbook-k8s-submit-it");
        server = LabbookServer.start(LocalServerConfig.load("labbook_k8s_submit_it", dir, Map.of(Setting.HTTP_PORT, "0"))
                .withComputeTargets(List.of(GPU, CPU)), (targets, observer) -> {
                    compute = KubernetesCompute.start(kubernetes.createClient(), targets, observer);
                    return new ComputeConnector.Connection(compute, compute);
                });
        // Pods created before the informers watch would still be listed; waiting keeps each test's
        // first change from racing the server's start.
        compute.awaitWatching(WAIT);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void submitRunCreatesTheJobOfTheSpecInTheTargetsNamespace() {
        Queued run = queuedRun();
        var response = submit().submitRun(SubmitRunRequest.newBuilder().setRunId(run.id()).setSpec(spec("gpu")
                .setEnvironment(SubmitEnvironment.newBuilder().setImage("ghcr.io/acme/custom:2")
                        .addPipRequirements("numpy==2.1").putVariables("EPOCHS", "3"))
                .setResources(SubmitResources.newBuilder().setCpu("500m").setMemory("4Gi").setGpu(1))).build());

        String jobName = "labbook-" + run.id();
        assertThat(response.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(getRun(run.id()).getRun().getTagsMap()).containsEntry("labbook.compute_target", "gpu")
                .containsEntry("labbook.k8s.namespace", "training").containsEntry("labbook.k8s.job", jobName);
        assertThat(kubectl.batch().v1().jobs().inNamespace("batch").withName(jobName).get()).isNull();
        Job job = kubectl.batch().v1().jobs().inNamespace("training").withName(jobName).get();
        assertThat(job).as("Job %s in namespace training", jobName).isNotNull();
        Map<String, String> labels = Map.of("app.kubernetes.io/managed-by", "labbook", "labbook.dev/run-id", run.id());
        assertThat(job.getMetadata().getLabels()).containsAllEntriesOf(labels);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(labels);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86_400);

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).isEqualTo("labbook-runner");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("pool", "gpu"));
        assertThat(pod.getTolerations()).singleElement().satisfies(toleration -> {
            assertThat(toleration.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(toleration.getOperator()).isEqualTo("Exists");
            assertThat(toleration.getEffect()).isEqualTo("NoSchedule");
        });
        Volume token = pod.getVolumes().stream().filter(v -> v.getProjected() != null).findFirst().orElseThrow();
        assertThat(token.getProjected().getSources()).singleElement().satisfies(source -> {
            assertThat(source.getServiceAccountToken().getAudience()).isEqualTo("labbook");
            assertThat(source.getServiceAccountToken().getPath()).isEqualTo("token");
        });

        Container script = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(script.getName()).isEqualTo("script");
        assertThat(script.getImage()).isEqualTo("ghcr.io/acme/custom:2");
        assertThat(script.getWorkingDir()).isEqualTo("/workspace");
        assertThat(script.getCommand()).containsExactly("python", "-m", "labbook.runner", "--snapshot", SNAPSHOT,
                "--requirement", "numpy==2.1", "--", "python", "train.py", "--epochs", "3");
        assertThat(env(script)).isEqualTo(new TreeMap<>(Map.of("EPOCHS", "3",
                "LABBOOK_TRACKING_URI", "labbook.labbook.svc.cluster.local:7800", "LABBOOK_PROJECT", "default",
                "LABBOOK_EXPERIMENT", run.experiment(), "LABBOOK_RUN_ID", run.id(), "LABBOOK_RUN_NAME", run.name(),
                "LABBOOK_TOKEN_FILE", "/var/run/secrets/labbook.dev/token", "PYTHONUNBUFFERED", "1")));
        assertThat(script.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo(token.getName());
            assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/labbook.dev");
        });
        assertThat(quantities(script.getResources().getRequests())).isEqualTo(Map.of("cpu", "500m", "memory", "4Gi"));
        assertThat(quantities(script.getResources().getLimits()))
                .isEqualTo(Map.of("cpu", "500m", "memory", "4Gi", "nvidia.com/gpu", "1"));

        // A spec without an image, on a target without a token, account or placement: the defaults.
        Queued plain = queuedRun();
        submit().submitRun(SubmitRunRequest.newBuilder().setRunId(plain.id()).setSpec(spec("cpu")).build());
        Job plainJob = kubectl.batch().v1().jobs().inNamespace("batch").withName("labbook-" + plain.id()).get();
        assertThat(plainJob).isNotNull();
        PodSpec plainPod = plainJob.getSpec().getTemplate().getSpec();
        assertThat(plainPod.getContainers().get(0).getImage()).isEqualTo("python:3.12-slim");
        assertThat(plainPod.getContainers().get(0).getCommand()).containsExactly("python", "-m", "labbook.runner",
                "--snapshot", SNAPSHOT, "--", "python", "train.py", "--epochs", "3");
        assertThat(env(plainPod.getContainers().get(0))).doesNotContainKey("LABBOOK_TOKEN_FILE")
                .containsEntry("LABBOOK_RUN_ID", plain.id()).containsEntry("LABBOOK_TRACKING_URI", "labbook:7800");
        assertThat(plainPod.getServiceAccountName()).isNull();
        assertThat(plainPod.getNodeSelector()).isNullOrEmpty();
        assertThat(plainPod.getTolerations()).isNullOrEmpty();
        assertThat(plainPod.getVolumes()).noneMatch(v -> v.getProjected() != null);
        assertThat(plainPod.getContainers().get(0).getResources().getLimits()).isNullOrEmpty();
        assertThat(plainJob.getSpec().getTtlSecondsAfterFinished()).isNull();
        assertThat(getRun(plain.id()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
    }

    @Test
    void aPodKilledForItsMemoryFailsTheRunWithOomKilled() {
        Queued run = submitted("gpu");
        String pod = "labbook-" + run.id() + "-a1b2c";
        createPod("training", pod, run.id(), Pods.pending());
        setStatus("training", pod, Pods.running());

        Submission running = await("the submission running", () -> submission(run.id()),
                s -> s.getState().equals("running"));
        assertThat(running.getPodName()).isEqualTo(pod);
        assertThat(getRun(run.id()).getRun().getTagsMap()).containsEntry("labbook.k8s.pod", pod);
        // As the pod's runner does.
        runs().startRun(StartRunRequest.newBuilder().setRunId(run.id()).build());

        setStatus("training", pod, Pods.terminated("Failed", "OOMKilled", 137, null));

        GetRunResponse failed = await("the run FAILED", () -> getRun(run.id()),
                r -> r.getRun().getStatus() == RunStatus.RUN_STATUS_FAILED);
        RunStatusChange last = failed.getStatusHistory(failed.getStatusHistoryCount() - 1);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(last.getReason()).isEqualTo("job_failed");
        assertThat(last.getMessage()).startsWith("OOMKilled").isEqualTo("OOMKilled: exit code 137");
        Submission recorded = submission(run.id());
        assertThat(recorded.getState()).isEqualTo("failed");
        assertThat(recorded.getMessage()).isEqualTo("OOMKilled: exit code 137");
        assertThat(recorded.getPodName()).isEqualTo(pod);
        // A Job whose pod ended keeps it for its logs, until its TTL.
        assertThat(job("training", run.id())).isNotNull();

        // Its user resumes the run (elsewhere); the TTL then removes the failed Job: that is no
        // cancel of the resumed run, and the submission still says why its pod failed.
        runs().resumeRun(ResumeRunRequest.newBuilder().setRunId(run.id()).build());
        kubectl.batch().v1().jobs().inNamespace("training").withName("labbook-" + run.id()).delete();
        Submission gone = await("the submission deleted", () -> submission(run.id()),
                s -> s.getState().equals("deleted"));
        assertThat(gone.getMessage()).isEqualTo("OOMKilled: exit code 137");
        assertThat(getRun(run.id()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
    }

    @Test
    void anImageThatCannotBePulledFailsTheRunAndTheServerDeletesItsJob() {
        Queued run = submitted("cpu");
        String pod = "labbook-" + run.id() + "-x7k2p";
        createPod("batch", pod, run.id(), Pods.pending());
        setStatus("batch", pod, Pods.waiting("ImagePullBackOff", "Back-off pulling image \"python:3.12-slim\""));

        GetRunResponse failed = await("the run FAILED", () -> getRun(run.id()),
                r -> r.getRun().getStatus() == RunStatus.RUN_STATUS_FAILED);
        RunStatusChange last = failed.getStatusHistory(failed.getStatusHistoryCount() - 1);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(last.getReason()).isEqualTo("job_failed");
        assertThat(last.getMessage()).startsWith("ImagePullBackOff: Back-off pulling image");

        // Kubernetes would retry the pull forever: the server deletes the Job, and the watch then
        // sees it gone without ending the run a second time.
        await("the Job deleted", () -> job("batch", run.id()), job -> job == null);
        Submission gone = await("the submission deleted", () -> submission(run.id()),
                s -> s.getState().equals("deleted"));
        assertThat(gone.getMessage()).startsWith("ImagePullBackOff: ");
        GetRunResponse after = getRun(run.id());
        assertThat(after.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        assertThat(after.getStatusHistoryList()).extracting(RunStatusChange::getReason)
                .containsExactly("create", "job_failed");
    }

    @Test
    void cancelingASubmittedRunDeletesItsJob() {
        Queued queued = submitted("cpu");
        Queued running = submitted("gpu");
        runs().startRun(StartRunRequest.newBuilder().setRunId(running.id()).build());
        assertThat(job("batch", queued.id())).isNotNull();
        assertThat(job("training", running.id())).isNotNull();

        runs().cancelRun(CancelRunRequest.newBuilder().setRunId(queued.id()).build());
        runs().cancelRun(CancelRunRequest.newBuilder().setRunId(running.id()).build());

        assertThat(getRun(queued.id()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(getRun(running.id()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        await("the QUEUED run's Job deleted", () -> job("batch", queued.id()), job -> job == null);
        await("the RUNNING run's Job deleted", () -> job("training", running.id()), job -> job == null);
        // The watch sees the deletions the cancel caused: recorded, the runs canceled once (by the user).
        for (Queued run : List.of(queued, running)) {
            await("the submission deleted", () -> submission(run.id()), s -> s.getState().equals("deleted"));
            assertThat(getRun(run.id()).getStatusHistoryList()).extracting(RunStatusChange::getReason)
                    .last().isEqualTo("cancel");
        }
    }

    @Test
    void deletingTheJobUnderARunningRunCancelsIt() {
        Queued run = submitted("gpu");
        runs().startRun(StartRunRequest.newBuilder().setRunId(run.id()).build());

        // As `kubectl delete job` would.
        kubectl.batch().v1().jobs().inNamespace("training").withName("labbook-" + run.id()).delete();

        GetRunResponse canceled = await("the run CANCELED", () -> getRun(run.id()),
                r -> r.getRun().getStatus() == RunStatus.RUN_STATUS_CANCELED);
        RunStatusChange last = canceled.getStatusHistory(canceled.getStatusHistoryCount() - 1);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(last.getReason()).isEqualTo("job_deleted");
        assertThat(last.getMessage()).isEqualTo("Job training/labbook-" + run.id() + " was deleted");
        assertThat(submission(run.id()).getState()).isEqualTo("deleted");
    }

    @Test
    void aRunItsRunnerCompletedStaysCompletedWhenItsJobSucceedsAndIsCleanedUp() {
        Queued run = submitted("cpu");
        String pod = "labbook-" + run.id() + "-s0k9z";
        createPod("batch", pod, run.id(), Pods.running());
        await("the submission running", () -> submission(run.id()), s -> s.getState().equals("running"));
        // The runner in the pod starts and finishes the run, then its container exits 0.
        runs().startRun(StartRunRequest.newBuilder().setRunId(run.id()).build());
        runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.id()).setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
        setStatus("batch", pod, Pods.terminated("Succeeded", "Completed", 0, null));
        await("the submission succeeded", () -> submission(run.id()), s -> s.getState().equals("succeeded"));

        // The TTL controller removes the finished Job.
        kubectl.batch().v1().jobs().inNamespace("batch").withName("labbook-" + run.id()).delete();

        await("the submission deleted", () -> submission(run.id()), s -> s.getState().equals("deleted"));
        GetRunResponse after = getRun(run.id());
        assertThat(after.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        assertThat(after.getStatusHistoryList()).extracting(RunStatusChange::getReason)
                .containsExactly("create", "start", "finish");
    }

    /** A QUEUED run as the SDK makes it: its experiment's name and the run's are in the Job's environment. */
    private record Queued(String id, String experiment, String name) {
    }

    private static Queued queuedRun() {
        String experimentName = "submit-" + NAMES.incrementAndGet();
        String experiment = ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(CreateExperimentRequest
                .newBuilder().setProject("default").setName(experimentName).build()).getExperiment().getId();
        Run run = runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment)
                .setName("train-" + NAMES.incrementAndGet()).setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build())
                .getRun();
        byte[] snapshot = sourceTarGz("train.py", "print('training')\n");
        ArtifactTransfers.upload(channel, UploadHeader.newBuilder().setRunId(run.getId()).setPath(SNAPSHOT)
                .setDirection(Direction.DIRECTION_INPUT).setSizeBytes(snapshot.length)
                .setSha256(ArtifactTransfers.sha256(snapshot)).build(), snapshot, 64 * 1024, -1);
        return new Queued(run.getId(), experimentName, run.getName());
    }

    private static Queued submitted(String target) {
        Queued run = queuedRun();
        submit().submitRun(SubmitRunRequest.newBuilder().setRunId(run.id()).setSpec(spec(target)).build());
        return run;
    }

    private static SubmitSpec.Builder spec(String target) {
        return SubmitSpec.newBuilder().setComputeTarget(target).setScript("train.py").addArguments("--epochs")
                .addArguments("3").setSnapshotPath(SNAPSHOT);
    }

    private static SubmitServiceGrpc.SubmitServiceBlockingStub submit() {
        return SubmitServiceGrpc.newBlockingStub(channel);
    }

    private static RunServiceGrpc.RunServiceBlockingStub runs() {
        return RunServiceGrpc.newBlockingStub(channel);
    }

    private static GetRunResponse getRun(String runId) {
        return runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    private static Submission submission(String runId) {
        return submit().getSubmission(GetSubmissionRequest.newBuilder().setRunId(runId).build()).getSubmission();
    }

    private static Job job(String namespace, String runId) {
        return kubectl.batch().v1().jobs().inNamespace(namespace).withName("labbook-" + runId).get();
    }

    /** A pod as the Job controller makes it: the labels of the Job's pod template. */
    private static void createPod(String namespace, String name, String runId, PodStatus status) {
        Map<String, String> labels = job(namespace, runId).getSpec().getTemplate().getMetadata().getLabels();
        kubectl.pods().inNamespace(namespace).resource(Pods.labelled(namespace, name, labels, status)).create();
    }

    /** As the kubelet reports a pod. */
    private static void setStatus(String namespace, String name, PodStatus status) {
        kubectl.pods().inNamespace(namespace).withName(name).editStatus(pod -> new PodBuilder(pod).withStatus(status).build());
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue,
                (a, b) -> fail("variable set twice: " + a + ", " + b), TreeMap::new));
    }

    private static Map<String, String> quantities(Map<String, Quantity> quantities) {
        return quantities.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toString()));
    }

    /** Polls {@code value} until {@code done} holds, for at most {@link #WAIT}; the watch acts asynchronously. */
    private static <T> T await(String what, Supplier<T> value, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                fail(what + " within " + WAIT + "; last seen: " + last);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
            last = value.get();
        }
        return last;
    }

    /** A gzipped ustar archive of one regular file, as the SDKs upload a source directory. */
    static byte[] sourceTarGz(String name, String content) {
        byte[] body = content.getBytes(UTF_8);
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", body.length));
        put(header, 136, String.format("%011o", 0));
        Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(header);
            gzip.write(body);
            gzip.write(new byte[(512 - body.length % 512) % 512 + 1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, String field) {
        byte[] bytes = field.getBytes(UTF_8);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
