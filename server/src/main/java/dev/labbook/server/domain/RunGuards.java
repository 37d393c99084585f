package dev.labbook.server.domain;

import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import java.util.UUID;

/** Checks shared by services that write to a run: it exists and neither it nor its experiment is deleted. */
public final class RunGuards {
    private RunGuards() {
    }

    public static Run requireRun(TrackingTransaction tx, UUID runId) {
        return tx.runs().findById(runId, false).orElseThrow(() -> notFound(runId));
    }

    public static NotFoundException notFound(UUID runId) {
        NotFoundException error = new NotFoundException(ErrorReason.RUN_NOT_FOUND, "run " + runId + " not found");
        error.about("run", runId);
        return error;
    }

    public static void requireWritable(TrackingTransaction tx, Run run) {
        if (run.deleted()) {
            throw deletedRun(run.id());
        }
        Experiment experiment = ExperimentService.require(tx.experiments(), run.experimentId(), false);
        if (experiment.deleted()) {
            throw deletedExperiment(experiment.name(), run.id());
        }
    }

    public static FailedPreconditionException deletedRun(UUID runId) {
        return new FailedPreconditionException(ErrorReason.RUN_DELETED, "run " + runId + " is deleted; restore it before changing it");
    }

    public static FailedPreconditionException deletedExperimentOf(UUID runId) {
        return new FailedPreconditionException(ErrorReason.EXPERIMENT_DELETED, "the experiment of run " + runId
                + " is deleted; restore it before changing its runs");
    }

    public static FailedPreconditionException deletedExperiment(String experimentName, UUID runId) {
        return new FailedPreconditionException(ErrorReason.EXPERIMENT_DELETED, "experiment '" + experimentName + "' of run " + runId
                + " is deleted; restore it before changing its runs");
    }
}
