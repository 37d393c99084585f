package dev.labbook.server.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobRequest;
import dev.labbook.server.domain.submit.SubmitSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobManifestTest {
    private static final UUID RUN = UUID.fromString("0b9b2f6e-3f1c-4d8e-9a51-5f0c1e2d3a4b");
    private static final Map<String, String> LABELS = Map.of(
            "app.kubernetes.io/managed-by", "labbook", "labbook.dev/run-id", RUN.toString());

    @Test
    void aTargetWithEverythingSetShapesEveryFieldOfTheJob() {
        SubmitSpec spec = new SubmitSpec("gpu", "src/train.py", List.of("--lr", "0.1", "a b"), "snapshot/source.tar.gz",
                "ghcr.io/acme/torch:2.5", List.of("torch==2.5.0", "pandas>=2"),
                Map.of("WANDB_MODE", "off", "B_FIRST", "x", "LABBOOK_RUN_ID", "spoofed"), "2", "8Gi", 1);
        Job job = JobManifest.of(Targets.request(RUN, Targets.gpu("training"), spec));

        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
        assertThat(job.getMetadata().getName()).isEqualTo("labbook-" + RUN);
        assertThat(job.getMetadata().getNamespace()).isEqualTo("training");
        assertThat(job.getMetadata().getLabels()).isEqualTo(LABELS);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86400);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(LABELS);

        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getServiceAccountName()).isEqualTo("labbook-runner");
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("pool", "gpu"));
        assertThat(pod.getImagePullSecrets()).containsExactly(new LocalObjectReference("ghcr-pull"));
        assertThat(pod.getTolerations()).containsExactly(
                toleration("nvidia.com/gpu", "Exists", null, "NoSchedule", null),
                toleration("spot", "Equal", "true", "NoExecute", 300L));

        assertThat(pod.getVolumes()).hasSize(2);
        Volume workspace = pod.getVolumes().get(0);
        assertThat(workspace.getName()).isEqualTo("workspace");
        assertThat(workspace.getEmptyDir()).isNotNull();
        Volume token = pod.getVolumes().get(1);
        assertThat(token.getName()).isEqualTo("labbook-token");
        assertThat(token.getProjected().getSources()).hasSize(1);
        ServiceAccountTokenProjection projection = token.getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(projection.getAudience()).isEqualTo("labbook");
        assertThat(projection.getExpirationSeconds()).isEqualTo(3600L);
        assertThat(projection.getPath()).isEqualTo("token");

        assertThat(pod.getContainers()).hasSize(1);
        Container container = pod.getContainers().get(0);
        assertThat(container.getName()).isEqualTo("script");
        assertThat(container.getImage()).isEqualTo("ghcr.io/acme/torch:2.5");
        assertThat(container.getWorkingDir()).isEqualTo("/workspace");
        assertThat(container.getArgs()).isEmpty();
        assertThat(container.getCommand()).containsExactly("python", "-m", "labbook.runner",
                "--snapshot", "snapshot/source.tar.gz", "--requirement", "torch==2.5.0", "--requirement", "pandas>=2",
                "--", "python", "src/train.py", "--lr", "0.1", "a b");
        assertThat(container.getEnv()).containsExactly(
                env("B_FIRST", "x"),
                env("LABBOOK_RUN_ID", "spoofed"),
                env("WANDB_MODE", "off"),
                env("LABBOOK_TRACKING_URI", "labbook.labbook.svc.cluster.local:7800"),
                env("LABBOOK_PROJECT", "vision"),
                env("LABBOOK_EXPERIMENT", "resnet"),
                env("LABBOOK_RUN_ID", RUN.toString()),
                env("LABBOOK_RUN_NAME", "bright-owl-7"),
                env("LABBOOK_TOKEN_FILE", "/var/run/secrets/labbook.dev/token"),
                env("PYTHONUNBUFFERED", "1"));
        assertThat(container.getResources().getRequests())
                .isEqualTo(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi")));
        assertThat(container.getResources().getLimits())
                .isEqualTo(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi"), "nvidia.com/gpu", new Quantity("1")));
        assertThat(container.getVolumeMounts()).containsExactly(
                mount("workspace", "/workspace", null),
                mount("labbook-token", "/var/run/secrets/labbook.dev", true));
    }

    @Test
    void aPlainTargetLeavesOutWhatItDoesNotSet() {
        SubmitSpec spec = new SubmitSpec("cpu", "run.sh", List.of(), "snapshot/source.tar.gz", "", List.of(), Map.of(),
                "", "", 0);
        Job job = JobManifest.of(Targets.request(RUN, Targets.plain("batch"), spec));

        assertThat(job.getMetadata().getNamespace()).isEqualTo("batch");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isNull();
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isNull();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getTolerations()).isEmpty();
        assertThat(pod.getImagePullSecrets()).isEmpty();
        assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactly("workspace");
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("python:3.12-slim");
        assertThat(container.getCommand()).containsExactly("python", "-m", "labbook.runner",
                "--snapshot", "snapshot/source.tar.gz", "--", "./run.sh");
        assertThat(container.getEnv()).extracting(EnvVar::getName).containsExactly("LABBOOK_TRACKING_URI",
                "LABBOOK_PROJECT", "LABBOOK_EXPERIMENT", "LABBOOK_RUN_ID", "LABBOOK_RUN_NAME", "PYTHONUNBUFFERED");
        assertThat(container.getResources().getRequests()).isNullOrEmpty();
        assertThat(container.getResources().getLimits()).isNullOrEmpty();
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("workspace");
    }

    @Test
    void onlyAPythonScriptIsRunWithPython() {
        SubmitSpec notPython = new SubmitSpec("cpu", "train.pyc.sh", List.of("x.py"), "s.tar.gz", "", List.of(),
                Map.of(), "", "", 0);
        assertThat(JobManifest.command(notPython)).containsExactly("python", "-m", "labbook.runner",
                "--snapshot", "s.tar.gz", "--", "./train.pyc.sh", "x.py");
    }

    @Test
    void gpusOnATargetWithoutAGpuResourceAreRefused() {
        SubmitSpec spec = new SubmitSpec("cpu", "train.py", List.of(), "s.tar.gz", "", List.of(), Map.of(), "", "", 2);
        JobRequest request = Targets.request(RUN, Targets.plain("batch"), spec);
        assertThatThrownBy(() -> JobManifest.of(request))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compute target cpu has no gpuResource; 2 GPUs were asked for");
    }

    @Test
    void aTolerationWithAnUnknownFieldOrSecondsThatAreNoNumberIsRefused() {
        ComputeTarget typo = withTolerations(Map.of("key", "a", "efect", "NoSchedule"));
        assertThatThrownBy(() -> JobManifest.tolerations(typo))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compute target cpu: toleration field efect is not one of key, operator, value, effect, tolerationSeconds");
        ComputeTarget seconds = withTolerations(Map.of("key", "a", "tolerationSeconds", "5m"));
        assertThatThrownBy(() -> JobManifest.tolerations(seconds))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compute target cpu: tolerationSeconds 5m is not a whole number of seconds");
    }

    private static ComputeTarget withTolerations(Map<String, String> toleration) {
        ComputeTarget plain = Targets.plain("batch");
        return new ComputeTarget(plain.name(), plain.namespace(), plain.defaultImage(), plain.serviceAccount(),
                plain.trackingUri(), plain.tokenAudience(), plain.nodeSelector(), List.of(toleration),
                plain.gpuResource(), plain.maxSnapshotBytes(), plain.projects(), plain.activeDeadlineSeconds(),
                plain.ttlSecondsAfterFinished(), plain.imagePullSecrets());
    }

    private static Toleration toleration(String key, String operator, String value, String effect, Long seconds) {
        Toleration toleration = new Toleration();
        toleration.setKey(key);
        toleration.setOperator(operator);
        toleration.setValue(value);
        toleration.setEffect(effect);
        toleration.setTolerationSeconds(seconds);
        return toleration;
    }

    private static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    private static VolumeMount mount(String name, String path, Boolean readOnly) {
        VolumeMount mount = new VolumeMount();
        mount.setName(name);
        mount.setMountPath(path);
        mount.setReadOnly(readOnly);
        return mount;
    }
}
