package dev.labbook.sdk;

import java.util.List;

/**
 * A server compute target ({@link SubmitApi#listComputeTargets()}), configured by the server's
 * operator: where submitted scripts run as Kubernetes Jobs.
 *
 * @param kind {@code kubernetes}, the only kind
 * @param defaultImage the image used when a submission names none
 * @param maxSnapshotBytes the largest source snapshot it accepts
 * @param gpuResource the extended resource {@code resources.gpu} requests ({@code nvidia.com/gpu});
 *     empty: no GPUs
 * @param projects projects that may submit to it; empty: every project
 */
public record ComputeTarget(String name, String kind, String namespace, String defaultImage, long maxSnapshotBytes,
        String gpuResource, List<String> projects) {
    public ComputeTarget {
        projects = projects == null ? List.of() : List.copyOf(projects);
    }
}
