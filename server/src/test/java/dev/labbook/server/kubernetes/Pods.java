package dev.labbook.server.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.Map;
import java.util.UUID;

/** Pods and pod statuses as the Job controller and the kubelet would write them, for the tests. */
final class Pods {
    private Pods() {
    }

    static Pod of(String namespace, String name, UUID runId, PodStatus status) {
        return labelled(namespace, name, JobLabels.of(runId), status);
    }

    static Pod labelled(String namespace, String name, Map<String, String> labels, PodStatus status) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("script").withImage("python:3.12-slim").endContainer().endSpec()
                .withStatus(status)
                .build();
    }

    static PodStatus pending() {
        return new PodStatusBuilder().withPhase("Pending").build();
    }

    static PodStatus waiting(String reason, String message) {
        return new PodStatusBuilder().withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder().withName("script")
                        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                        .build())
                .build();
    }

    static PodStatus running() {
        return new PodStatusBuilder().withPhase("Running")
                .withContainerStatuses(new ContainerStatusBuilder().withName("script")
                        .withNewState().withNewRunning().withStartedAt("2026-12-07T01:00:00Z").endRunning().endState()
                        .build())
                .build();
    }

    static PodStatus terminated(String phase, String reason, int exitCode, String message) {
        return new PodStatusBuilder().withPhase(phase).withContainerStatuses(terminatedContainer("script", reason, exitCode, message)).build();
    }

    static ContainerStatus terminatedContainer(String name, String reason, int exitCode, String message) {
        return new ContainerStatusBuilder().withName(name)
                .withNewState().withNewTerminated().withReason(reason).withExitCode(exitCode).withMessage(message)
                .endTerminated().endState()
                .build();
    }

    static PodStatus evicted(String message) {
        return new PodStatusBuilder().withPhase("Failed").withReason("Evicted").withMessage(message).build();
    }
}
