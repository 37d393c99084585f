package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobRequest;
import dev.labbook.server.domain.submit.SubmitSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Kubernetes Job of one submission, shaped as {@link dev.labbook.server.domain.submit.JobLauncher}
 * describes it: one pod that runs the script under Labbook's runner, never restarted (a failed
 * script is a failed run, not something to retry).
 */
final class JobManifest {
    static final String CONTAINER = "script";
    static final String WORKSPACE = "/workspace";
    static final String TOKEN_DIRECTORY = "/var/run/secrets/labbook.dev";
    static final String TOKEN_FILE = TOKEN_DIRECTORY + "/token";
    /** An hour: the kubelet renews a projected token at 80% of its life, so the runner re-reads the file. */
    static final long TOKEN_EXPIRATION_SECONDS = 3600;

    private static final String WORKSPACE_VOLUME = "workspace";
    private static final String TOKEN_VOLUME = "labbook-token";
    private static final Set<String> TOLERATION_FIELDS = Set.of("key", "operator", "value", "effect", "tolerationSeconds");

    private JobManifest() {
    }

    static Job of(JobRequest request) {
        ComputeTarget target = request.target();
        Map<String, String> labels = JobLabels.of(request.runId());
        JobSpecBuilder spec = new JobSpecBuilder()
                .withBackoffLimit(0)
                .withNewTemplate()
                    .withNewMetadata().withLabels(labels).endMetadata()
                    .withSpec(podSpec(request))
                .endTemplate();
        if (target.activeDeadlineSeconds() > 0) {
            spec.withActiveDeadlineSeconds(target.activeDeadlineSeconds());
        }
        if (target.ttlSecondsAfterFinished() >= 0) {
            spec.withTtlSecondsAfterFinished(target.ttlSecondsAfterFinished());
        }
        return new JobBuilder()
                .withNewMetadata()
                    .withName(request.jobName())
                    .withNamespace(target.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withSpec(spec.build())
                .build();
    }

    private static PodSpec podSpec(JobRequest request) {
        ComputeTarget target = request.target();
        boolean token = !target.tokenAudience().isEmpty();
        List<Volume> volumes = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName(WORKSPACE_VOLUME).withMountPath(WORKSPACE).build());
        if (token) {
            // A token of the server's audience, bound to this pod's life; the namespace's default
            // token (an API credential the script does not need) stays unmounted.
            volumes.add(new VolumeBuilder().withName(TOKEN_VOLUME)
                    .withNewProjected()
                        .addNewSource().withNewServiceAccountToken()
                            .withAudience(target.tokenAudience())
                            .withExpirationSeconds(TOKEN_EXPIRATION_SECONDS)
                            .withPath("token")
                        .endServiceAccountToken().endSource()
                    .endProjected()
                    .build());
            mounts.add(new VolumeMountBuilder().withName(TOKEN_VOLUME).withMountPath(TOKEN_DIRECTORY).withReadOnly(true).build());
        }
        Container container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(request.spec().image().isEmpty() ? target.defaultImage() : request.spec().image())
                .withWorkingDir(WORKSPACE)
                .withCommand(command(request.spec()))
                .withEnv(environment(request, token))
                .withResources(resources(request.spec(), target))
                .withVolumeMounts(mounts)
                .build();
        PodSpecBuilder pod = new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withContainers(container)
                .withVolumes(volumes)
                .withNodeSelector(target.nodeSelector().isEmpty() ? null : new TreeMap<>(target.nodeSelector()))
                .withTolerations(tolerations(target))
                .withImagePullSecrets(target.imagePullSecrets().stream().map(LocalObjectReference::new).toList());
        if (!target.serviceAccount().isEmpty()) {
            pod.withServiceAccountName(target.serviceAccount());
        }
        return pod.build();
    }

    /**
     * {@code python -m labbook.runner --snapshot P [--requirement R]... -- python SCRIPT ARGS...} for a
     * {@code .py} script, {@code ... -- ./SCRIPT ARGS...} for any other (a file of the snapshot, not a
     * command looked up on PATH).
     */
    static List<String> command(SubmitSpec spec) {
        List<String> command = new ArrayList<>(List.of("python", "-m", "labbook.runner", "--snapshot", spec.snapshotPath()));
        for (String requirement : spec.pipRequirements()) {
            command.add("--requirement");
            command.add(requirement);
        }
        command.add("--");
        if (spec.script().endsWith(".py")) {
            command.add("python");
            command.add(spec.script());
        } else {
            command.add("./" + spec.script());
        }
        command.addAll(spec.arguments());
        return command;
    }

    /**
     * The spec's variables (sorted by name: the domain keeps them unordered, the Job's spec should
     * not change between two creations of the same submission), then Labbook's. Kubernetes lets
     * the last of two equal names win, so a user variable can never replace the run's identity.
     */
    private static List<EnvVar> environment(JobRequest request, boolean token) {
        List<EnvVar> env = new ArrayList<>();
        new TreeMap<>(request.spec().variables()).forEach((name, value) -> env.add(variable(name, value)));
        env.add(variable("LABBOOK_TRACKING_URI", request.target().trackingUri()));
        env.add(variable("LABBOOK_PROJECT", request.project()));
        env.add(variable("LABBOOK_EXPERIMENT", request.experiment()));
        env.add(variable("LABBOOK_RUN_ID", request.runId().toString()));
        env.add(variable("LABBOOK_RUN_NAME", request.runName()));
        if (token) {
            env.add(variable("LABBOOK_TOKEN_FILE", TOKEN_FILE));
        }
        env.add(variable("PYTHONUNBUFFERED", "1"));
        return env;
    }

    private static EnvVar variable(String name, String value) {
        return new EnvVar(name, value, null);
    }

    /** cpu and memory requested and limited alike (the pod gets what it asked for, no more); GPUs are limits only. */
    private static ResourceRequirements resources(SubmitSpec spec, ComputeTarget target) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        if (!spec.cpu().isEmpty()) {
            requests.put("cpu", new Quantity(spec.cpu()));
        }
        if (!spec.memory().isEmpty()) {
            requests.put("memory", new Quantity(spec.memory()));
        }
        Map<String, Quantity> limits = new LinkedHashMap<>(requests);
        if (spec.gpu() > 0) {
            if (target.gpuResource().isEmpty()) {
                throw new IllegalArgumentException("compute target " + target.name() + " has no gpuResource; "
                        + spec.gpu() + " GPUs were asked for");
            }
            limits.put(target.gpuResource(), new Quantity(Integer.toString(spec.gpu())));
        }
        ResourceRequirements resources = new ResourceRequirements();
        resources.setRequests(requests);
        resources.setLimits(limits);
        return resources;
    }

    static List<Toleration> tolerations(ComputeTarget target) {
        List<Toleration> tolerations = new ArrayList<>();
        for (Map<String, String> fields : target.tolerations()) {
            for (String field : fields.keySet()) {
                if (!TOLERATION_FIELDS.contains(field)) {
                    throw new IllegalArgumentException("compute target " + target.name() + ": toleration field "
                            + field + " is not one of key, operator, value, effect, tolerationSeconds");
                }
            }
            Toleration toleration = new Toleration();
            toleration.setKey(fields.get("key"));
            toleration.setOperator(fields.get("operator"));
            toleration.setValue(fields.get("value"));
            toleration.setEffect(fields.get("effect"));
            String seconds = fields.get("tolerationSeconds");
            if (seconds != null) {
                try {
                    toleration.setTolerationSeconds(Long.parseLong(seconds));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("compute target " + target.name()
                            + ": tolerationSeconds " + seconds + " is not a whole number of seconds", e);
                }
            }
            tolerations.add(toleration);
        }
        return tolerations;
    }
}
