package dev.labbook.server.domain;

import java.util.UUID;

/**
 * Told after CancelRun committed a run's change to CANCELED, so that work running elsewhere for
 * it can be stopped (a submitted run's Kubernetes Job is deleted). Lets {@link RunService} stay
 * ignorant of who runs runs. Not told when the run was CANCELED already.
 */
@FunctionalInterface
public interface RunCancelListener {
    RunCancelListener NONE = runId -> { };

    void runCanceled(UUID runId);
}
