package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.ResumeRunResponse;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc.RunServiceBlockingStub;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The run lifecycle: QUEUED -> RUNNING -> COMPLETED | FAILED | CANCELED, changed only by
 * StartRun, FinishRun, CancelRun and ResumeRun (and OpenRun); each allowed transition, each
 * idempotent repeat and each refusal with its reason.
 */
@ExtendWith(LabbookServerExtension.class)
class RunLifecycleIT {

    private static String experiment(TestServer server) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setName("lifecycle-" + UUID.randomUUID()).build()).getExperiment().getId();
    }

    private static Run running(TestServer server, String experimentId) {
        return server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experimentId).build()).getRun();
    }

    private static Run queued(TestServer server, String experimentId) {
        return server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experimentId)
                .setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun();
    }

    private static Run start(TestServer server, String runId) {
        return server.runs().startRun(StartRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    private static Run finish(TestServer server, String runId, RunStatus status) {
        return server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(runId).setStatus(status).build())
                .getRun();
    }

    private static Run cancel(TestServer server, String runId) {
        return server.runs().cancelRun(CancelRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    private static ResumeRunResponse resume(TestServer server, String runId) {
        return server.runs().resumeRun(ResumeRunRequest.newBuilder().setRunId(runId).build());
    }

    private static GetRunResponse get(TestServer server, String runId) {
        return server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    private static List<String> history(TestServer server, String runId) {
        return get(server, runId).getStatusHistoryList().stream()
                .map(c -> c.getReason() + ":" + c.getFromStatus().name().substring(11) + "->"
                        + c.getToStatus().name().substring(11))
                .toList();
    }

    /** A refused transition: FAILED_PRECONDITION, INVALID_STATUS_TRANSITION, the run's status in the metadata. */
    private static void assertRefused(RunStatus current, Runnable call) {
        StatusRuntimeException e = assertReason(Code.FAILED_PRECONDITION, "INVALID_STATUS_TRANSITION", call::run);
        assertThat(errorInfo(e).orElseThrow().getMetadataMap()).containsEntry("status", current.name());
    }

    @Test
    void aQueuedRunStartsThenCompletes(TestServer server) throws Exception {
        Run run = queued(server, experiment(server));
        Thread.sleep(5);

        Run started = start(server, run.getId());
        assertThat(started.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(started.getStartTimeMs()).isGreaterThan(run.getCreateTimeMs());
        assertThat(started.getCreateTimeMs()).isEqualTo(run.getCreateTimeMs());
        assertThat(started.getEndTimeMs()).isZero();
        assertThat(started.getResumeCount()).isZero();
        // Starting a RUNNING run again returns it unchanged (safe to retry).
        assertThat(start(server, run.getId())).isEqualTo(started);

        Run completed = finish(server, run.getId(), RunStatus.RUN_STATUS_COMPLETED);
        assertThat(completed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        assertThat(completed.getEndTimeMs()).isGreaterThanOrEqualTo(started.getStartTimeMs());
        assertThat(completed.getStartTimeMs()).isEqualTo(started.getStartTimeMs());
        assertThat(get(server, run.getId()).getRun()).isEqualTo(completed);
        assertThat(history(server, run.getId())).containsExactly("create:UNSPECIFIED->QUEUED",
                "start:QUEUED->RUNNING", "finish:RUNNING->COMPLETED");
    }

    @Test
    void finishingAgainWithTheSameStatusIsANoOpAndAnotherStatusIsRefused(TestServer server) {
        Run run = running(server, experiment(server));

        Run failed = finish(server, run.getId(), RunStatus.RUN_STATUS_FAILED);
        assertThat(failed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        assertThat(failed.getEndTimeMs()).isGreaterThanOrEqualTo(run.getStartTimeMs());
        assertThat(finish(server, run.getId(), RunStatus.RUN_STATUS_FAILED)).isEqualTo(failed);

        assertRefused(RunStatus.RUN_STATUS_FAILED, () -> finish(server, run.getId(), RunStatus.RUN_STATUS_COMPLETED));
        assertRefused(RunStatus.RUN_STATUS_FAILED, () -> start(server, run.getId()));
        assertRefused(RunStatus.RUN_STATUS_FAILED, () -> cancel(server, run.getId()));
        assertThat(get(server, run.getId()).getRun()).isEqualTo(failed);
        assertThat(history(server, run.getId())).containsExactly("create:UNSPECIFIED->RUNNING",
                "finish:RUNNING->FAILED");
    }

    @Test
    void finishTakesOnlyAFinalStatusAndAnEndTimeNotBeforeTheStart(TestServer server) {
        Run run = running(server, experiment(server));
        RunServiceBlockingStub runs = server.runs();

        for (RunStatus status : List.of(RunStatus.RUN_STATUS_UNSPECIFIED, RunStatus.RUN_STATUS_RUNNING,
                RunStatus.RUN_STATUS_QUEUED, RunStatus.RUN_STATUS_CANCELED)) {
            assertInvalidField("status", () -> finish(server, run.getId(), status));
        }
        // Argument errors come before the lookup.
        assertInvalidField("status", () -> finish(server, UUID.randomUUID().toString(),
                RunStatus.RUN_STATUS_RUNNING));
        assertInvalidField("end_time_ms", () -> runs.finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(run.getStartTimeMs() - 1).build()));
        assertInvalidField("end_time_ms", () -> runs.finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(Long.MAX_VALUE).build()));
        assertThat(get(server, run.getId()).getRun()).isEqualTo(run);

        long end = run.getStartTimeMs() + 60_000;
        Run done = runs.finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(end).build()).getRun();
        assertThat(done.getEndTimeMs()).isEqualTo(end);
        assertThat(done.getStartTimeMs()).isEqualTo(run.getStartTimeMs());
    }

    @Test
    void aQueuedRunCanFailOrBeCanceledButNotComplete(TestServer server) {
        String exp = experiment(server);
        Run toFail = queued(server, exp);
        assertRefused(RunStatus.RUN_STATUS_QUEUED, () -> finish(server, toFail.getId(),
                RunStatus.RUN_STATUS_COMPLETED));
        Run failed = finish(server, toFail.getId(), RunStatus.RUN_STATUS_FAILED);
        assertThat(failed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        assertThat(failed.getStartTimeMs()).isZero();
        assertThat(failed.getEndTimeMs()).isGreaterThanOrEqualTo(failed.getCreateTimeMs());
        assertThat(history(server, toFail.getId())).containsExactly("create:UNSPECIFIED->QUEUED",
                "finish:QUEUED->FAILED");
        // A queued run's end time may not precede its creation.
        Run other = queued(server, exp);
        assertInvalidField("end_time_ms", () -> server.runs().finishRun(FinishRunRequest.newBuilder()
                .setRunId(other.getId()).setStatus(RunStatus.RUN_STATUS_FAILED)
                .setEndTimeMs(other.getCreateTimeMs() - 1).build()));

        Run toCancel = queued(server, exp);
        Run canceled = cancel(server, toCancel.getId());
        assertThat(canceled.getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(canceled.getStartTimeMs()).isZero();
        assertThat(canceled.getEndTimeMs()).isPositive();
        assertThat(history(server, toCancel.getId())).containsExactly("create:UNSPECIFIED->QUEUED",
                "cancel:QUEUED->CANCELED");
    }

    @Test
    void cancelStopsARunningRunOnceAndRefusesAFinishedOne(TestServer server) {
        String exp = experiment(server);
        Run run = running(server, exp);

        Run canceled = cancel(server, run.getId());
        assertThat(canceled.getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(canceled.getEndTimeMs()).isGreaterThanOrEqualTo(run.getStartTimeMs());
        assertThat(cancel(server, run.getId())).isEqualTo(canceled);
        assertRefused(RunStatus.RUN_STATUS_CANCELED, () -> finish(server, run.getId(),
                RunStatus.RUN_STATUS_COMPLETED));
        assertRefused(RunStatus.RUN_STATUS_CANCELED, () -> start(server, run.getId()));
        assertThat(history(server, run.getId())).containsExactly("create:UNSPECIFIED->RUNNING",
                "cancel:RUNNING->CANCELED");

        Run completed = running(server, exp);
        finish(server, completed.getId(), RunStatus.RUN_STATUS_COMPLETED);
        assertRefused(RunStatus.RUN_STATUS_COMPLETED, () -> cancel(server, completed.getId()));
    }

    @Test
    void resumeReopensAFinishedRunStartsAQueuedOneAndLeavesARunningOne(TestServer server) {
        String exp = experiment(server);
        Run run = running(server, exp);
        ResumeRunResponse untouched = resume(server, run.getId());
        assertThat(untouched.getResumed()).isFalse();
        assertThat(untouched.getRun()).isEqualTo(run);

        finish(server, run.getId(), RunStatus.RUN_STATUS_COMPLETED);
        ResumeRunResponse resumed = resume(server, run.getId());
        assertThat(resumed.getResumed()).isTrue();
        assertThat(resumed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(resumed.getRun().getEndTimeMs()).isZero();
        assertThat(resumed.getRun().getStartTimeMs()).isEqualTo(run.getStartTimeMs());
        assertThat(resumed.getRun().getResumeCount()).isEqualTo(1);
        assertThat(history(server, run.getId())).containsExactly("create:UNSPECIFIED->RUNNING",
                "finish:RUNNING->COMPLETED", "resume:COMPLETED->RUNNING");

        Run waiting = queued(server, exp);
        ResumeRunResponse started = resume(server, waiting.getId());
        assertThat(started.getResumed()).isFalse();
        assertThat(started.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(started.getRun().getStartTimeMs()).isPositive();
        assertThat(started.getRun().getResumeCount()).isZero();
        assertThat(history(server, waiting.getId())).containsExactly("create:UNSPECIFIED->QUEUED",
                "start:QUEUED->RUNNING");

        // A run canceled while queued never ran: resuming it is its first start.
        Run neverRan = queued(server, exp);
        cancel(server, neverRan.getId());
        Run reopened = resume(server, neverRan.getId()).getRun();
        assertThat(reopened.getStartTimeMs()).isPositive();
        assertThat(reopened.getResumeCount()).isEqualTo(1);
    }

    @Test
    void deletedRunsAndRunsOfDeletedExperimentsRefuseEveryTransition(TestServer server) {
        String exp = experiment(server);
        Run run = queued(server, exp);
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());

        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> start(server, run.getId()));
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> finish(server, run.getId(),
                RunStatus.RUN_STATUS_FAILED));
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> cancel(server, run.getId()));
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> resume(server, run.getId()));

        Run other = running(server, exp);
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(exp).build());
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> finish(server, other.getId(),
                RunStatus.RUN_STATUS_COMPLETED));
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> cancel(server, other.getId()));
        assertThat(get(server, other.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
    }

    @Test
    void unknownAndMalformedRunIds(TestServer server) {
        String missing = UUID.randomUUID().toString();
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> start(server, missing));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> finish(server, missing, RunStatus.RUN_STATUS_FAILED));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> cancel(server, missing));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> resume(server, missing));
        assertInvalidField("run_id", () -> start(server, "nope"));
        assertInvalidField("run_id", () -> cancel(server, ""));
    }
}
