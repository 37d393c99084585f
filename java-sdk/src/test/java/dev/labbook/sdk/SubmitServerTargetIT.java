package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.Setting;
import dev.labbook.server.kubernetes.KubernetesComputeConnector;
import dev.labbook.server.testing.LocalServerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submissions to a server target through the SDK only, end to end: an in-process Labbook server
 * (real gRPC, embedded PostgreSQL) configured with compute targets, its real SubmitService and
 * its real Kubernetes compute on fabric8's Kubernetes API server in memory (CRUD mode, over HTTP).
 * What is asserted is what the user gets back and what is left behind: the Job in the API
 * server, the run and its snapshot artifact, and no QUEUED run after a failure.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class SubmitServerTargetIT {
    private static final String SNAPSHOT = "snapshot/source.tar.gz";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String IMAGE = "ghcr.io/acme/labbook-runner:0.1.0";
    /** GPUs, a 1 MiB snapshot limit. */
    private static final dev.labbook.server.domain.submit.ComputeTarget GPU = target("gpu", "training",
            "nvidia.com/gpu", 1 << 20);
    /** No GPUs, a 10 000 byte snapshot limit. */
    private static final dev.labbook.server.domain.submit.ComputeTarget SMALL = target("small", "batch", "", 10_000);
    /** A namespace where the Kubernetes API refuses to create Jobs (see {@link #start()}). */
    private static final dev.labbook.server.domain.submit.ComputeTarget LOCKED = target("locked", "locked", "", 1 << 20);

    /** Set by the mock server's extension: one Kubernetes API server for the class. */
    static KubernetesMockServer kubernetes;
    /** The test's own client: kubectl. */
    static KubernetesClient kubectl;

    private static LabbookServer server;

    @TempDir
    Path source;
    private Labbook labbook;

    private static dev.labbook.server.domain.submit.ComputeTarget target(String name, String namespace, String gpu,
            long maxSnapshotBytes) {
        return new dev.labbook.server.domain.submit.ComputeTarget(name, namespace, IMAGE, "", "labbook:7800", "",
                Map.of(), List.of(), gpu, maxSnapshotBytes, List.of(), 0, -1, List.of());
    }

    @BeforeAll
    static void start() throws Exception {
        // The service account may not create Jobs in "locked": every such request is refused.
        kubernetes.expect().post().withPath("/apis/batch/v1/namespaces/locked/jobs")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("jobs.batch is forbidden in the namespace \"locked\"").build())
                .always();
        Path dir = Files.createTempDirectory("labbook-sdk-submit-it");
        server = LabbookServer.start(LocalServerConfig.load("labbook_sdk_submit_it", dir, Map.of(Setting.HTTP_PORT, "0"))
                .withComputeTargets(List.of(GPU, SMALL, LOCKED)),
                KubernetesComputeConnector.on(kubernetes.createClient(), WAIT));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() throws Exception {
        // The SDK's default retries: a refusal for good must not be retried through them.
        labbook = Labbook.connect("127.0.0.1:" + server.port());
        Files.writeString(source.resolve("train.py"), "print('hi')\n");
        Files.writeString(source.resolve(".gitignore"), "*.ckpt\n");
        Files.writeString(source.resolve("old.ckpt"), "weights");
        Files.createDirectories(source.resolve(".git")).resolve("HEAD").toFile().createNewFile();
    }

    @AfterEach
    void close() {
        labbook.close();
    }

    @Test
    void theServerListsItsConfiguredTargetsByName() {
        assertThat(labbook.client().submissions().listComputeTargets()).containsExactly(
                new ComputeTarget("gpu", "kubernetes", "training", IMAGE, 1 << 20, "nvidia.com/gpu", List.of()),
                new ComputeTarget("locked", "kubernetes", "locked", IMAGE, 1 << 20, "", List.of()),
                new ComputeTarget("small", "kubernetes", "batch", IMAGE, 10_000, "", List.of()));
    }

    @Test
    void aSubmittedScriptIsAJobOfItsQueuedRunUntilTheRunIsCanceled() throws Exception {
        ScriptRunConfig config = ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .arguments("--lr", "0.1", "").computeTarget("gpu").image("python:3.12").pipRequirement("numpy==2.1")
                .variable("MODE", "fast").resources("2", "4Gi", 1).build();
        SubmittedRun run = labbook.experiment("to-gpu").submit(config);

        String jobName = "labbook-" + run.id();
        assertThat(run.computeTarget()).isEqualTo("gpu");
        assertThat(run.submission()).get().satisfies(s -> {
            assertThat(s.jobName()).isEqualTo(jobName);
            assertThat(s.namespace()).isEqualTo("training");
        });
        Job job = kubectl.batch().v1().jobs().inNamespace("training").withName(jobName).get();
        assertThat(job).as("Job %s in namespace training", jobName).isNotNull();
        Container script = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(script.getImage()).isEqualTo("python:3.12");
        assertThat(script.getCommand()).containsExactly("python", "-m", "labbook.runner", "--snapshot", SNAPSHOT,
                "--requirement", "numpy==2.1", "--", "python", "train.py", "--lr", "0.1", "");
        assertThat(env(script)).containsEntry("LABBOOK_RUN_ID", run.id()).containsEntry("LABBOOK_EXPERIMENT", "to-gpu")
                .containsEntry("LABBOOK_TRACKING_URI", "labbook:7800").containsEntry("MODE", "fast");
        assertThat(quantities(script.getResources().getRequests())).isEqualTo(Map.of("cpu", "2", "memory", "4Gi"));
        assertThat(quantities(script.getResources().getLimits()))
                .isEqualTo(Map.of("cpu", "2", "memory", "4Gi", "nvidia.com/gpu", "1"));

        LabbookClient client = labbook.client();
        RunInfo stored = client.runs().get(run.id());
        assertThat(stored.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(stored.tags()).containsEntry("labbook.compute_target", "gpu")
                .containsEntry("labbook.k8s.namespace", "training").containsEntry("labbook.k8s.job", jobName);
        assertThat(stored.source().args()).containsExactly("--lr", "0.1", "");
        Artifact snapshot = client.artifacts().get(run.id(), SNAPSHOT);
        assertThat(snapshot.direction()).isEqualTo(Direction.INPUT);
        assertThat(snapshot.sha256()).isNotEmpty();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        client.artifacts().download(run.id(), SNAPSHOT, bytes, 0, null);
        assertThat(names(bytes.toByteArray())).containsExactly(".gitignore", "train.py");

        assertThat(run.cancel().status()).isEqualTo(RunStatus.CANCELED);
        awaitNoJob("training", jobName);
    }

    @Test
    void anUnknownTargetIsRefusedBeforeAnyRunExists() {
        Experiment experiment = labbook.experiment("unknown-target");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("tpu").build()))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("\"tpu\"")
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.COMPUTE_TARGET_UNKNOWN));
        assertThat(experiment.runs()).isEmpty();
    }

    @Test
    void anOversizedSnapshotIsRefusedBeforeAnyRunOrUpload() throws Exception {
        byte[] noise = new byte[64 * 1024];
        new Random(7).nextBytes(noise);
        Files.write(source.resolve("data.bin"), noise);
        Experiment experiment = labbook.experiment("too-large");
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("small").build()))
                .isInstanceOf(ResourceExhaustedException.class).hasMessageContaining("10000 bytes")
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.LIMIT_EXCEEDED));
        assertThat(experiment.runs()).isEmpty();
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("small").resources("", "", 1).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no GPUs");
        assertThat(experiment.runs()).isEmpty();
        assertThat(kubectl.batch().v1().jobs().inNamespace("batch").list().getItems()).isEmpty();
    }

    @Test
    void aKubernetesApiThatRefusesIsAFailedPreconditionAtOnceAndTheQueuedRunIsCanceled() throws Exception {
        Experiment experiment = labbook.experiment("refused");
        long started = System.nanoTime();
        assertThatThrownBy(() -> experiment.submit(ScriptRunConfig.builder().sourceDirectory(source).script("train.py")
                .computeTarget("locked").build()))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("namespace locked")
                .hasMessageContaining("403").hasMessageContaining("retrying will not help")
                .satisfies(e -> assertThat(((LabbookException) e).reason()).isEqualTo(ErrorReason.COMPUTE_REFUSED));
        // not retried through the SDK's retry window (30 s after first contact)
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(kubernetes.getLastRequest().getPath()).isEqualTo("/apis/batch/v1/namespaces/locked/jobs");
        List<RunInfo> runs = experiment.runs();
        assertThat(runs).singleElement().extracting(RunInfo::status).isEqualTo(RunStatus.CANCELED);
        assertThat(kubectl.batch().v1().jobs().inNamespace("locked").list().getItems()).isEmpty();
    }

    /** The server deletes the Job as CancelRun returns; the API server may list it a moment longer. */
    private static void awaitNoJob(String namespace, String name) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (kubectl.batch().v1().jobs().inNamespace(namespace).withName(name).get() != null) {
            if (System.nanoTime() > deadline) {
                fail("Job " + name + " still in namespace " + namespace + " after " + WAIT);
            }
            Thread.sleep(50);
        }
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue,
                (a, b) -> fail("variable set twice: " + a + ", " + b), TreeMap::new));
    }

    private static Map<String, String> quantities(Map<String, Quantity> quantities) {
        return quantities.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toString()));
    }

    private static List<String> names(byte[] tarGz) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(tarGz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
