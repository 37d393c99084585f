package dev.labbook.server.kubernetes;

import dev.labbook.server.domain.submit.JobState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What a submission's pod is now, read from its status as the kubelet reports it. */
final class PodStates {
    /**
     * Waiting reasons after which the container will not start without someone changing the Job
     * (the kubelet keeps retrying, so the pod stays Pending until its Job is deleted).
     */
    static final Set<String> STUCK_REASONS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private PodStates() {
    }

    /**
     * Empty for phases that say nothing to report (Unknown, or no status yet), and for a pod being
     * deleted: its container then ends with SIGTERM (Error, exit code 143) because its Job was
     * deleted (reported as DELETED) or because it was drained or preempted, which fails its Job
     * (backoffLimit 0), reported with the Job's reason.
     */
    static Optional<Observed> of(Pod pod) {
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        if (phase == null || pod.getMetadata().getDeletionTimestamp() != null) {
            return Optional.empty();
        }
        return switch (phase) {
            case "Pending" -> Optional.of(stuck(status)
                    .map(waiting -> Observed.failed(reasonAndMessage(waiting.getReason(), waiting.getMessage())))
                    .orElse(new Observed(JobState.PENDING, "")));
            case "Running" -> Optional.of(new Observed(JobState.RUNNING, ""));
            case "Succeeded" -> Optional.of(new Observed(JobState.SUCCEEDED, ""));
            case "Failed" -> Optional.of(Observed.failed(whyFailed(pod)));
            default -> Optional.empty();
        };
    }

    private static Optional<ContainerStateWaiting> stuck(PodStatus status) {
        return containers(status).stream()
                .map(container -> container.getState() == null ? null : container.getState().getWaiting())
                .filter(waiting -> waiting != null && STUCK_REASONS.contains(waiting.getReason()))
                .findFirst();
    }

    /**
     * The pod's own reason when it has one (Evicted, DeadlineExceeded: the node or the Job ended
     * it), else how its container ended: OOMKilled or Error with the exit code.
     */
    static String whyFailed(Pod pod) {
        PodStatus status = pod.getStatus();
        if (status.getReason() != null && !status.getReason().isEmpty()) {
            return reasonAndMessage(status.getReason(), status.getMessage());
        }
        return containers(status).stream()
                .map(container -> container.getState() == null ? null : container.getState().getTerminated())
                .filter(terminated -> terminated != null)
                .findFirst()
                .map(PodStates::terminated)
                .orElse("pod " + pod.getMetadata().getName() + " failed"
                        + (status.getMessage() == null || status.getMessage().isEmpty() ? "" : ": " + status.getMessage()));
    }

    private static String terminated(ContainerStateTerminated terminated) {
        String reason = terminated.getReason() == null || terminated.getReason().isEmpty() ? "Terminated" : terminated.getReason();
        String exit = terminated.getExitCode() == null ? "" : "exit code " + terminated.getExitCode();
        String message = terminated.getMessage() == null ? "" : terminated.getMessage().strip();
        String detail = exit.isEmpty() || message.isEmpty() ? exit + message : exit + ", " + message;
        return reasonAndMessage(reason, detail);
    }

    /** The script's container first: it is the one a user reads about. */
    private static List<ContainerStatus> containers(PodStatus status) {
        List<ContainerStatus> containers = status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
        return containers.stream()
                .sorted(Comparator.comparing(container -> !JobManifest.CONTAINER.equals(container.getName())))
                .toList();
    }

    static String reasonAndMessage(String reason, String message) {
        return message == null || message.isBlank() ? reason : reason + ": " + message.strip();
    }
}
