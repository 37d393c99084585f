package dev.labbook.server.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.domain.submit.JobState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PodStatesTest {
    private static final UUID RUN = UUID.randomUUID();

    @Test
    void aPendingPodIsPendingUntilItsContainerIsStuck() {
        assertThat(observe(Pods.pending())).contains(new Observed(JobState.PENDING, ""));
        assertThat(observe(Pods.waiting("ContainerCreating", ""))).contains(new Observed(JobState.PENDING, ""));
        for (String stuck : PodStates.STUCK_REASONS) {
            assertThat(observe(Pods.waiting(stuck, "  it says why \n")))
                    .contains(Observed.failed(stuck + ": it says why"));
        }
        assertThat(observe(Pods.waiting("InvalidImageName", null))).contains(Observed.failed("InvalidImageName"));
    }

    @Test
    void aFailedPodSaysHowItsScriptContainerEnded() {
        assertThat(observe(Pods.terminated("Failed", "OOMKilled", 137, null)))
                .contains(Observed.failed("OOMKilled: exit code 137"));
        assertThat(observe(Pods.terminated("Failed", "Error", 2, "Traceback ...\nValueError: bad lr\n")))
                .contains(Observed.failed("Error: exit code 2, Traceback ...\nValueError: bad lr"));
        PodStatus sidecarFirst = new PodStatusBuilder().withPhase("Failed")
                .withContainerStatuses(Pods.terminatedContainer("istio-proxy", "Completed", 0, null),
                        Pods.terminatedContainer("script", "OOMKilled", 137, null))
                .build();
        assertThat(observe(sidecarFirst)).contains(Observed.failed("OOMKilled: exit code 137"));
    }

    @Test
    void aFailedPodWithAReasonOfItsOwnSaysThatReason() {
        PodStatus evicted = new PodStatusBuilder(Pods.evicted("The node was low on resource: memory."))
                .withContainerStatuses(Pods.terminatedContainer("script", "Error", 137, null))
                .build();
        assertThat(observe(evicted)).contains(Observed.failed("Evicted: The node was low on resource: memory."));
        assertThat(observe(new PodStatusBuilder().withPhase("Failed").build()))
                .contains(Observed.failed("pod p failed"));
    }

    @Test
    void runningSucceededAndUnknownPhases() {
        assertThat(observe(Pods.running())).contains(new Observed(JobState.RUNNING, ""));
        assertThat(observe(Pods.terminated("Succeeded", "Completed", 0, null))).contains(new Observed(JobState.SUCCEEDED, ""));
        assertThat(observe(new PodStatusBuilder().withPhase("Unknown").build())).isEmpty();
        assertThat(observe(null)).isEmpty();
    }

    @Test
    void aPodBeingDeletedIsNotReported() {
        Pod deleting = new PodBuilder(Pods.of("ns", "p", RUN, Pods.terminated("Failed", "Error", 143, null)))
                .editMetadata().withDeletionTimestamp("2026-12-07T01:30:00Z").endMetadata()
                .build();
        assertThat(PodStates.of(deleting)).isEmpty();
    }

    private static Optional<Observed> observe(PodStatus status) {
        return PodStates.of(Pods.of("ns", "p", RUN, status));
    }
}
