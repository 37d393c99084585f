package dev.labbook.server.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobObservation;
import dev.labbook.server.domain.submit.JobRequest;
import dev.labbook.server.domain.submit.JobState;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KubernetesCompute against fabric8's Kubernetes API server in memory (CRUD mode): Jobs really
 * created and deleted over HTTP, pods written as the Job controller and kubelet would, and the
 * informers' observations as the submit service receives them.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesComputeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger TESTS = new AtomicInteger();

    /** Set by the mock server's extension: one API server for the class (each test has namespaces of its own). */
    static KubernetesMockServer server;
    /** The test's own client, playing the Job controller and the kubelet. */
    static KubernetesClient client;

    private final BlockingQueue<JobObservation> observed = new LinkedBlockingQueue<>();
    private ComputeTarget gpu;
    private ComputeTarget cpu;
    private String training;
    private String batch;
    private KubernetesCompute compute;

    @BeforeEach
    void start() throws Exception {
        int test = TESTS.incrementAndGet();
        training = "training-" + test;
        batch = "batch-" + test;
        gpu = Targets.gpu(training);
        cpu = Targets.plain(batch);
        // Two targets in one namespace: still one informer per kind there.
        // The server's own client configuration (its retry limit) against the mock API server:
        // the mock's default client retries a 503 ten times with back-off, about 20 s.
        KubernetesClient serverClient = new KubernetesClientBuilder()
                .withConfig(KubernetesCompute.clientConfig(client.getConfiguration())).build();
        compute = KubernetesCompute.start(serverClient, List.of(gpu, cpu, Targets.plain(training)), observed::add);
        compute.awaitWatching(WAIT);
    }

    @AfterEach
    void stop() {
        compute.close();
    }

    @Test
    void createMakesTheJobOfTheRequestInTheTargetsNamespace() {
        JobRequest request = Targets.request(UUID.randomUUID(), gpu, Targets.script("gpu"));
        compute.create(request);

        Job job = client.batch().v1().jobs().inNamespace(training).withName(request.jobName()).get();
        assertThat(job).isNotNull();
        assertThat(job.getMetadata().getLabels()).containsEntry("labbook.dev/run-id", request.runId().toString())
                .containsEntry("app.kubernetes.io/managed-by", "labbook");
        // What the API stored is what JobManifestTest pins, field for field, through JSON and back.
        assertThat(job.getSpec()).isEqualTo(JobManifest.of(request).getSpec());
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("ghcr.io/acme/labbook-runner:0.1.0");
        assertThat(job.getSpec().getTemplate().getSpec().getTolerations().get(1).getTolerationSeconds()).isEqualTo(300L);
        assertThat(client.batch().v1().jobs().inNamespace(batch).list().getItems()).isEmpty();
        // As the API server stored it: a number of seconds, not a string.
        assertThat(client.raw(server.url("/apis/batch/v1/namespaces/" + training + "/jobs/" + request.jobName())))
                .contains("\"tolerationSeconds\":300");
    }

    @Test
    void connectFindsTheClusterInTheEnvironment() {
        // fabric8's auto-configuration reads these system properties as it reads KUBERNETES_MASTER etc.
        Map<String, String> environment = Map.of("kubernetes.master", server.url("/"),
                "kubernetes.auth.tryKubeConfig", "false", "kubernetes.auth.tryServiceAccount", "false");
        environment.forEach(System::setProperty);
        try (KubernetesCompute connected = KubernetesCompute.connect(List.of(cpu), observed::add)) {
            JobRequest request = Targets.request(UUID.randomUUID(), cpu, Targets.script("cpu"));
            connected.create(request);
            assertThat(client.batch().v1().jobs().inNamespace(batch).withName(request.jobName()).get()).isNotNull();
        } finally {
            environment.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void aRetriedCreateFindsItsJobAndDoesNotFail() {
        JobRequest request = Targets.request(UUID.randomUUID(), cpu, Targets.script("cpu"));
        compute.create(request);
        compute.create(request);

        assertThat(client.batch().v1().jobs().inNamespace(batch).list().getItems())
                .extracting(job -> job.getMetadata().getName()).containsExactly(request.jobName());
    }

    @Test
    void deleteRemovesTheJobWithItsPodsAndAJobAlreadyGoneIsNoError() throws InterruptedException {
        JobRequest request = Targets.request(UUID.randomUUID(), cpu, Targets.script("cpu"));
        compute.create(request);
        compute.delete(cpu, request.jobName());

        assertThat(client.batch().v1().jobs().inNamespace(batch).withName(request.jobName()).get()).isNull();
        assertThat(requestBodies("DELETE", request.jobName())).singleElement().asString()
                .contains("\"propagationPolicy\":\"Background\"");
        compute.delete(cpu, request.jobName());
        compute.delete(cpu, JobLauncher.jobName(UUID.randomUUID()));
    }

    @Test
    void anApiThatRefusesForGoodIsAFailedPreconditionNamingTheNamespaceAndTheAnswer() {
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + training + "/jobs")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(
                        "jobs.batch is forbidden: User \"system:serviceaccount:labbook:labbook\" cannot create"
                                + " resource \"jobs\" in API group \"batch\" in the namespace \"" + training + "\"").build())
                .once();
        JobRequest request = Targets.request(UUID.randomUUID(), gpu, Targets.script("gpu"));

        assertThatThrownBy(() -> compute.create(request))
                .isInstanceOfSatisfying(FailedPreconditionException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.COMPUTE_REFUSED))
                .hasMessageStartingWith("creating Job " + request.jobName() + " in namespace " + training + " failed; the"
                        + " Kubernetes API answered 403: jobs.batch is forbidden: User \"system:serviceaccount:labbook:labbook\""
                        + " cannot create resource \"jobs\" in API group \"batch\" in the namespace \"" + training + "\"")
                .hasMessageContaining("retrying will not help");
    }

    @Test
    void anApiThatFailsForNowIsUnavailable() {
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + training + "/jobs")
                .andReturn(503, new StatusBuilder().withCode(503).withReason("ServiceUnavailable")
                        .withMessage("etcd is restarting").build())
                .always();
        JobRequest request = Targets.request(UUID.randomUUID(), gpu, Targets.script("gpu"));

        assertThatThrownBy(() -> compute.create(request))
                .isInstanceOfSatisfying(UnavailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(ErrorReason.COMPUTE_UNAVAILABLE))
                .hasMessageContaining("answered 503");
    }

    @Test
    void anApiThatIsDownIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Config config = KubernetesCompute.clientConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + closedPort).build());
        long started = System.nanoTime();
        try (KubernetesCompute down = KubernetesCompute.start(
                new KubernetesClientBuilder().withConfig(config).build(), List.of(gpu), observed::add)) {
            JobRequest request = Targets.request(UUID.randomUUID(), gpu, Targets.script("gpu"));

            assertThatThrownBy(() -> down.create(request))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageStartingWith("creating Job " + request.jobName()
                            + " in namespace " + training + " failed; the Kubernetes API did not answer: ConnectException");
            assertThatThrownBy(() -> down.delete(gpu, request.jobName()))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageStartingWith("deleting Job " + request.jobName()
                            + " in namespace " + training + " failed; the Kubernetes API did not answer: ConnectException");
        }
        // Two retries (100 + 200 ms of backoff) for each call, not fabric8's default ten.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(observed).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledFailsOncePerPod() throws InterruptedException {
        UUID run = submit(gpu);
        String pod = "labbook-" + run + "-x7k2p";
        createPod(training, pod, run, Pods.pending());
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.PENDING, ""));

        setStatus(training, pod, Pods.waiting("ErrImagePull", "rpc error: code = NotFound desc = ghcr.io/acme/nope:1 not found"));
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.FAILED,
                "ErrImagePull: rpc error: code = NotFound desc = ghcr.io/acme/nope:1 not found"));
        // The kubelet backs off and says so: still FAILED, not reported again.
        setStatus(training, pod, Pods.waiting("ImagePullBackOff", "Back-off pulling image \"ghcr.io/acme/nope:1\""));
        setStatus(training, pod, Pods.running());
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.RUNNING, ""));
    }

    @Test
    void aRunningPodKilledForItsMemoryFailsWithOomKilled() throws InterruptedException {
        UUID run = submit(gpu);
        String pod = "labbook-" + run + "-a1b2c";
        createPod(training, pod, run, Pods.running());
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.RUNNING, ""));
        setStatus(training, pod, Pods.terminated("Failed", "OOMKilled", 137, null));
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.FAILED, "OOMKilled: exit code 137"));
    }

    @Test
    void anEvictedPodFailsWithTheEviction() throws InterruptedException {
        UUID run = submit(cpu);
        String pod = "labbook-" + run + "-e5v1c";
        createPod(batch, pod, run, Pods.running());
        assertThat(next().state()).isEqualTo(JobState.RUNNING);
        setStatus(batch, pod, Pods.evicted("The node was low on resource: ephemeral-storage."));
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.FAILED,
                "Evicted: The node was low on resource: ephemeral-storage."));
    }

    @Test
    void aSucceededPodIsReportedOnceAndTheJobsDeletionAfterIt() throws InterruptedException {
        UUID run = submit(cpu);
        String pod = "labbook-" + run + "-s0k9z";
        createPod(batch, pod, run, Pods.running());
        assertThat(next().state()).isEqualTo(JobState.RUNNING);
        setStatus(batch, pod, Pods.terminated("Succeeded", "Completed", 0, null));
        assertThat(next()).isEqualTo(new JobObservation(run, pod, JobState.SUCCEEDED, ""));
        // A change that says nothing new (as a resync or the kubelet's next write): not reported.
        client.pods().inNamespace(batch).withName(pod)
                .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations("touched", "yes").endMetadata().build());
        createPod(batch, "sentinel", run, Pods.pending());
        assertThat(next()).as("the pod informer's next report").isEqualTo(new JobObservation(run, "sentinel", JobState.PENDING, ""));

        client.batch().v1().jobs().inNamespace(batch).withName(JobLauncher.jobName(run)).delete();
        assertThat(next()).isEqualTo(new JobObservation(run, "", JobState.DELETED,
                "Job " + batch + "/" + JobLauncher.jobName(run) + " was deleted"));
    }

    @Test
    void aJobTheControllerEndsFailsWithItsConditionsReason() throws InterruptedException {
        UUID run = submit(gpu);
        String name = JobLauncher.jobName(run);
        client.batch().v1().jobs().inNamespace(training).withName(name).editStatus(job -> new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(job)
                .withStatus(new JobStatusBuilder().withFailed(1).withConditions(
                        new JobConditionBuilder().withType("FailureTarget").withStatus("True").withReason("DeadlineExceeded").build(),
                        new JobConditionBuilder().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
                                .withMessage("Job was active longer than specified deadline").build())
                        .build())
                .build());
        assertThat(next()).isEqualTo(new JobObservation(run, "", JobState.FAILED,
                "DeadlineExceeded: Job was active longer than specified deadline"));
    }

    @Test
    void podsWithoutAValidRunIdAreNotReported() throws InterruptedException {
        createPodLabelled(training, "stray", Map.of("app.kubernetes.io/managed-by", "labbook", "labbook.dev/run-id", "nope"));
        createPodLabelled(training, "short", Map.of("app.kubernetes.io/managed-by", "labbook", "labbook.dev/run-id", "1-2-3-4-5"));
        createPodLabelled(training, "unlabelled", Map.of("app.kubernetes.io/managed-by", "labbook"));
        createPodLabelled(training, "other", Map.of("labbook.dev/run-id", UUID.randomUUID().toString()));
        UUID run = UUID.randomUUID();
        createPod(training, "last", run, Pods.running());
        // The informer reports in order: had any of the four been reported, it would come first.
        assertThat(next()).isEqualTo(new JobObservation(run, "last", JobState.RUNNING, ""));
    }

    @Test
    void anObserverThatThrowsDoesNotStopTheWatch() throws Exception {
        compute.close();
        AtomicBoolean thrown = new AtomicBoolean();
        compute = KubernetesCompute.start(server.createClient(), List.of(cpu), observation -> {
            if (thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("the database is down");
            }
            observed.add(observation);
        });
        compute.awaitWatching(WAIT);
        UUID first = UUID.randomUUID();
        createPod(batch, "first", first, Pods.running());
        UUID second = UUID.randomUUID();
        createPod(batch, "second", second, Pods.running());
        assertThat(next()).isEqualTo(new JobObservation(second, "second", JobState.RUNNING, ""));
        assertThat(thrown).isTrue();
        // The lost observation is reported again at the pod's next change.
        setStatus(batch, "first", Pods.terminated("Failed", "Error", 1, null));
        assertThat(next()).isEqualTo(new JobObservation(first, "first", JobState.FAILED, "Error: exit code 1"));
    }

    private UUID submit(ComputeTarget target) {
        UUID run = UUID.randomUUID();
        compute.create(Targets.request(run, target, Targets.script(target.name())));
        return run;
    }

    private void createPod(String namespace, String name, UUID run, PodStatus status) {
        client.pods().inNamespace(namespace).resource(Pods.of(namespace, name, run, status)).create();
    }

    private void createPodLabelled(String namespace, String name, Map<String, String> labels) {
        client.pods().inNamespace(namespace).resource(Pods.labelled(namespace, name, labels, Pods.running())).create();
    }

    private void setStatus(String namespace, String name, PodStatus status) {
        client.pods().inNamespace(namespace).withName(name).editStatus(pod -> new PodBuilder(pod).withStatus(status).build());
    }

    private JobObservation next() throws InterruptedException {
        JobObservation observation = observed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(observation).as("an observation within %s", WAIT).isNotNull();
        return observation;
    }

    /** The bodies of the requests so far with that method and a path containing {@code path}. */
    private static List<String> requestBodies(String method, String path) throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (method.equals(request.getMethod()) && request.getPath().contains(path)) {
                bodies.add(request.getUtf8Body());
            }
        }
        return bodies;
    }
}
