package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.OpenRunResponse;
import dev.labbook.api.v1.ResumePolicy;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** OpenRun: the upsert by name, with its experiment and resume flags. */
@ExtendWith(LabbookServerExtension.class)
class OpenRunIT {

    private static String experiment(TestServer server, String project, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setProject(project)
                .setName(name).build()).getExperiment().getId();
    }

    private static OpenRunResponse open(TestServer server, OpenRunRequest.Builder request) {
        return server.runs().openRun(request.build());
    }

    @Test
    void aMissingExperimentIsCreatedOnlyWhenAskedAndReported(TestServer server) {
        OpenRunRequest.Builder request = OpenRunRequest.newBuilder().setProject("vision").setExperimentName("resnet")
                .setName("r1");

        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> open(server, request));
        assertThat(server.experiments().listExperiments(ListExperimentsRequest.newBuilder().setProject("vision")
                .build()).getExperimentsList()).isEmpty();

        OpenRunResponse created = open(server, request.setCreateExperimentIfMissing(true));
        assertThat(created.getExperimentCreated()).isTrue();
        assertThat(created.getResumed()).isFalse();
        assertThat(created.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setProject("vision")
                .setName("RESNET").build()).getExperiment().getId()).isEqualTo(created.getRun().getExperimentId());

        OpenRunResponse second = open(server, request.setName("r2"));
        assertThat(second.getExperimentCreated()).isFalse();
        assertThat(second.getRun().getExperimentId()).isEqualTo(created.getRun().getExperimentId());
        // Without the flag an existing experiment is found by name.
        OpenRunResponse byName = open(server, OpenRunRequest.newBuilder().setProject("vision")
                .setExperimentName("ResNet").setName("r3"));
        assertThat(byName.getRun().getExperimentId()).isEqualTo(created.getRun().getExperimentId());
        assertThat(byName.getExperimentCreated()).isFalse();
    }

    @Test
    void anExperimentIdMustNameAnExistingExperiment(TestServer server) {
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> open(server, OpenRunRequest.newBuilder()
                .setExperimentId(UUID.randomUUID().toString()).setCreateExperimentIfMissing(true).setName("r")));
        assertInvalidField("experiment_id", () -> open(server, OpenRunRequest.newBuilder().setName("r")));
        assertInvalidField("experiment_name", () -> open(server, OpenRunRequest.newBuilder()
                .setExperimentId(UUID.randomUUID().toString()).setExperimentName("e").setName("r")));
        assertInvalidField("experiment_name", () -> open(server, OpenRunRequest.newBuilder()
                .setCreateExperimentIfMissing(true).setExperimentName("bad\nname").setName("r")));
        assertInvalidField("project", () -> open(server, OpenRunRequest.newBuilder().setProject("no spaces")
                .setCreateExperimentIfMissing(true).setExperimentName("e").setName("r")));
    }

    @Test
    void startTimeIsKeptForACreatedRunOnlyAndValidated(TestServer server) {
        String exp = experiment(server, "", "e");
        long started = System.currentTimeMillis() - 86_400_000L - 123;
        OpenRunResponse created = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("offline")
                .setStartTimeMs(started));
        assertThat(created.getResumed()).isFalse();
        assertThat(created.getRun().getStartTimeMs()).isEqualTo(started);
        Run stored = server.runs().getRun(GetRunRequest.newBuilder().setRunId(created.getRun().getId()).build())
                .getRun();
        assertThat(stored.getStartTimeMs()).isEqualTo(started);
        // FinishRun accepts an end time after that start, before the call's time
        Run finished = server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(stored.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(started + 5_000).build()).getRun();
        assertThat(finished.getEndTimeMs()).isEqualTo(started + 5_000);

        // a resume keeps the run's own start time
        OpenRunResponse resumed = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("offline")
                .setStartTimeMs(started + 1_000));
        assertThat(resumed.getResumed()).isTrue();
        assertThat(resumed.getRun().getStartTimeMs()).isEqualTo(started);

        assertInvalidField("start_time_ms", () -> open(server, OpenRunRequest.newBuilder().setExperimentId(exp)
                .setName("future").setStartTimeMs(System.currentTimeMillis() + 3_600_000L)));
        assertInvalidField("start_time_ms", () -> open(server, OpenRunRequest.newBuilder().setExperimentId(exp)
                .setName("ancient").setStartTimeMs(-1)));
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp).build()).getRunsList())
                .extracting(Run::getName).containsExactly("offline");

        // CancelRun takes an end time as FinishRun does
        String canceled = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("canceled")
                .setStartTimeMs(started)).getRun().getId();
        assertInvalidField("end_time_ms", () -> server.runs().cancelRun(CancelRunRequest.newBuilder()
                .setRunId(canceled).setEndTimeMs(started - 1).build()));
        Run cancel = server.runs().cancelRun(CancelRunRequest.newBuilder().setRunId(canceled)
                .setEndTimeMs(started + 42).build()).getRun();
        assertThat(cancel.getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(cancel.getEndTimeMs()).isEqualTo(started + 42);
    }

    @Test
    void resumeNeverOnlyCreates(TestServer server) {
        String exp = experiment(server, "", "e");
        OpenRunRequest.Builder request = OpenRunRequest.newBuilder().setExperimentId(exp).setName("once")
                .setResume(ResumePolicy.RESUME_POLICY_NEVER);

        OpenRunResponse first = open(server, request);
        assertThat(first.getResumed()).isFalse();
        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> open(server, request.setName("ONCE")));
        server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(first.getRun().getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> open(server, request));
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(first.getRun().getId()).build())
                .getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
    }

    @Test
    void resumeMustOnlyResumes(TestServer server) {
        String exp = experiment(server, "", "e");
        OpenRunRequest.Builder request = OpenRunRequest.newBuilder().setExperimentId(exp).setName("nightly")
                .setResume(ResumePolicy.RESUME_POLICY_MUST);

        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> open(server, request));
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp).build()).getRunsList())
                .isEmpty();
        assertInvalidField("name", () -> open(server, request.clone().clearName()));
        // With a missing experiment created on the fly, the failed open creates nothing at all.
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> open(server, OpenRunRequest.newBuilder()
                .setExperimentName("fresh").setCreateExperimentIfMissing(true).setName("x")
                .setResume(ResumePolicy.RESUME_POLICY_MUST)));
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> server.experiments().getExperiment(
                GetExperimentRequest.newBuilder().setName("fresh").build()));

        Run run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("nightly")
                .build()).getRun();
        server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                .setStatus(RunStatus.RUN_STATUS_FAILED).build());
        OpenRunResponse resumed = open(server, request);
        assertThat(resumed.getResumed()).isTrue();
        assertThat(resumed.getRun().getId()).isEqualTo(run.getId());
        assertThat(resumed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(resumed.getRun().getResumeCount()).isEqualTo(1);

        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> open(server, request));
    }

    @Test
    void openingAQueuedRunStartsIt(TestServer server) throws Exception {
        String exp = experiment(server, "", "queue");
        Run queued = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("job")
                .setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun();
        Thread.sleep(5);

        OpenRunResponse opened = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("job")
                .setDescription("picked up by worker-3").putTags("worker", "3"));

        assertThat(opened.getResumed()).isTrue();
        Run run = opened.getRun();
        assertThat(run.getId()).isEqualTo(queued.getId());
        assertThat(run.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(run.getStartTimeMs()).isGreaterThan(queued.getCreateTimeMs());
        assertThat(run.getResumeCount()).isZero();
        assertThat(run.getDescription()).isEqualTo("picked up by worker-3");
        assertThat(run.getTagsMap()).containsEntry("worker", "3");
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build())
                .getStatusHistoryList()).extracting(c -> c.getReason() + ":" + c.getToStatus())
                .containsExactly("create:RUN_STATUS_QUEUED", "start:RUN_STATUS_RUNNING");
    }

    @Test
    void openingARunningRunKeepsItRunningAndMergesTagsAndParams(TestServer server) {
        String exp = experiment(server, "", "e");
        Run first = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("r").setDescription("d1")
                .putTags("a", "1")).getRun();

        OpenRunResponse again = open(server, OpenRunRequest.newBuilder().setExperimentId(exp).setName("r")
                .putTags("b", "2"));

        assertThat(again.getResumed()).isTrue();
        assertThat(again.getRun().getResumeCount()).isZero();
        assertThat(again.getRun().getDescription()).isEqualTo("d1");
        assertThat(again.getRun().getTagsMap()).containsEntry("a", "1").containsEntry("b", "2");
        assertThat(again.getRun().getStartTimeMs()).isEqualTo(first.getStartTimeMs());
        assertThat(again.getRun().getEtag()).isNotEqualTo(first.getEtag());
    }
}
