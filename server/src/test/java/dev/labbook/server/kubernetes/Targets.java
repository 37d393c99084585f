package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobLauncher;
import dev.labbook.server.domain.submit.JobRequest;
import dev.labbook.server.domain.submit.SubmitSpec;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Compute targets and requests for the kubernetes package's tests. */
final class Targets {
    private Targets() {
    }

    /** Everything a target can set, set. */
    static ComputeTarget gpu(String namespace) {
        return new ComputeTarget("gpu", namespace, "ghcr.io/acme/labbook-runner:0.1.0", "labbook-runner",
                "labbook.labbook.svc.cluster.local:7800", "labbook", Map.of("pool", "gpu"),
                List.of(Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule"),
                        Map.of("key", "spot", "operator", "Equal", "value", "true", "effect", "NoExecute",
                                "tolerationSeconds", "300")),
                "nvidia.com/gpu", 100 << 20, List.of(), 7200, 86400, List.of("ghcr-pull"));
    }

    /** Nothing optional set. */
    static ComputeTarget plain(String namespace) {
        return new ComputeTarget("cpu", namespace, "python:3.12-slim", "", "labbook:7800", "", Map.of(), List.of(),
                "", 100 << 20, List.of(), 0, -1, List.of());
    }

    static JobRequest request(UUID runId, ComputeTarget target, SubmitSpec spec) {
        return new JobRequest(runId, "vision", "resnet", "bright-owl-7", JobLauncher.jobName(runId), target, spec);
    }

    static SubmitSpec script(String computeTarget) {
        return new SubmitSpec(computeTarget, "train.py", List.of("--epochs", "3"), "snapshot/source.tar.gz", "",
                List.of(), Map.of(), "", "", 0);
    }
}
