package dev.labbook.server.domain.submit;

import java.util.List;
import java.util.Map;

/**
 * A named place where submitted runs execute, as the operator configured it
 * ({@code --compute-targets-file}). Only Kubernetes targets exist: each submission becomes a Job in
 * {@code namespace}. "local" is never a server target (the SDKs run local submissions themselves).
 *
 * @param name             what SubmitSpec.compute_target names, e.g. {@code gpu}
 * @param namespace        Kubernetes namespace of the Jobs
 * @param defaultImage     image used when the spec names none (it holds Python and Labbook's runner)
 * @param serviceAccount   the pods' ServiceAccount ("" : the namespace's default)
 * @param trackingUri      how pods reach this server's gRPC port, e.g. {@code labbook.labbook.svc:7800}
 * @param tokenAudience    audience of the projected ServiceAccount token mounted for the runner (the
 *                         server's --jwt-audience); "" : no token is mounted (access control off)
 * @param nodeSelector     node labels the pods require
 * @param tolerations      Kubernetes toleration objects (key, operator, value, effect, tolerationSeconds)
 * @param gpuResource      extended resource of SubmitResources.gpu, e.g. {@code nvidia.com/gpu}; "" : no GPUs
 * @param maxSnapshotBytes largest source snapshot accepted
 * @param projects         projects that may submit to it; empty: every project
 * @param activeDeadlineSeconds the Job's activeDeadlineSeconds; 0: none
 * @param ttlSecondsAfterFinished the Job's ttlSecondsAfterFinished (finished Jobs are cleaned up); -1: never
 * @param imagePullSecrets names of Secrets for pulling the image
 */
public record ComputeTarget(String name, String namespace, String defaultImage, String serviceAccount,
        String trackingUri, String tokenAudience, Map<String, String> nodeSelector,
        List<Map<String, String>> tolerations, String gpuResource, long maxSnapshotBytes, List<String> projects,
        long activeDeadlineSeconds, int ttlSecondsAfterFinished, List<String> imagePullSecrets) {

    public ComputeTarget {
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = tolerations.stream().map(Map::copyOf).toList();
        projects = List.copyOf(projects);
        imagePullSecrets = List.copyOf(imagePullSecrets);
    }

    /** Whether runs of {@code project} may be submitted here. */
    public boolean allows(String project) {
        return projects.isEmpty() || projects.contains(project);
    }
}
