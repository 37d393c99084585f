package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.AccessServiceGrpc;
import dev.labbook.api.v1.AuditEvent;
import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.CompareRunsRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ListAuditEventsRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListProjectsRequest;
import dev.labbook.api.v1.ListTokensRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.Project;
import dev.labbook.api.v1.ProjectServiceGrpc;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.Token;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.GrpcAssertions;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A token of project B never sees or touches project A's data, whichever way it asks: lists,
 * searches, comparisons, metric reads, follows, streams that switch runs, page tokens, tokens and
 * the audit log. And a refusal does not tell B the name of A's project.
 */
@ExtendWith(AuthServerExtension.class)
class ProjectIsolationIT {
    private static final String A = "iso-a";
    private static final String B = "iso-b";

    private TestServer server;
    private String adminA;
    private String editorB;
    private String adminB;
    private String experimentA;
    private String runA;
    private String experimentB;
    private String runB;

    @BeforeEach
    void twoProjects(TestServer server) {
        this.server = server;
        adminA = TestTokens.create(server, A, Role.ADMIN);
        editorB = TestTokens.create(server, B, Role.EDITOR);
        adminB = TestTokens.create(server, B, Role.ADMIN);
        experimentA = experiment(adminA, A, "secret-experiment");
        runA = run(adminA, experimentA, "a1");
        run(adminA, experimentA, "a2");
        experimentB = experiment(adminB, B, "open-experiment");
        runB = run(adminB, experimentB, "b1");
    }

    private String experiment(String token, String project, String name) {
        return TestTokens.as(server.experiments(), token).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject(project).setName(name).build()).getExperiment().getId();
    }

    private String run(String token, String experimentId, String name) {
        return TestTokens.as(server.runs(), token).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(experimentId).setName(name).build()).getRun().getId();
    }

    private RunServiceGrpc.RunServiceBlockingStub runsAs(String token) {
        return TestTokens.as(server.runs(), token);
    }

    @Test
    void listProjectsShowsOnlyTheCallersProjects() {
        List<String> seenByB = TestTokens.as(ProjectServiceGrpc.newBlockingStub(server.channel()), editorB)
                .listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList().stream()
                .map(Project::getName).toList();
        assertThat(seenByB).containsExactly(B);
        List<String> seenByBootstrap = TestTokens.as(ProjectServiceGrpc.newBlockingStub(server.channel()),
                AuthServerExtension.BOOTSTRAP_TOKEN).listProjects(ListProjectsRequest.getDefaultInstance())
                .getProjectsList().stream().map(Project::getName).toList();
        assertThat(seenByBootstrap).contains(A, B, "default");
    }

    @Test
    void searchesAndComparisonsThatMixInAnotherProjectAreRefusedWhole() {
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> runsAs(editorB)
                .searchRuns(SearchRunsRequest.newBuilder().addExperimentIds(experimentB)
                        .addExperimentIds(experimentA).build()));
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> runsAs(editorB)
                .searchRuns(SearchRunsRequest.newBuilder().setProject(A).build()));
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> runsAs(editorB)
                .compareRuns(CompareRunsRequest.newBuilder().addRunIds(runB).addRunIds(runA).build()));
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> TestTokens.as(
                server.metrics(), editorB).batchGetMetricHistory(BatchGetMetricHistoryRequest.newBuilder()
                .addRunIds(runB).addRunIds(runA).addKeys("loss").build()));
        assertThat(runsAs(editorB).searchRuns(SearchRunsRequest.newBuilder().setProject(B).build()).getRunsList())
                .extracting(dev.labbook.api.v1.Run::getId).containsExactly(runB);
    }

    @Test
    void aRefusalDoesNotNameTheProjectOfAnIdTheCallerCannotSee() {
        assertThatThrownBy(() -> TestTokens.as(server.metrics(), editorB)
                .listMetrics(ListMetricsRequest.newBuilder().setRunId(runA).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("token:").contains("viewer")
                            .contains("run_id " + runA).doesNotContain(A);
                });
        // Named by the caller itself, the project is named back.
        assertThatThrownBy(() -> runsAs(editorB).searchRuns(SearchRunsRequest.newBuilder().setProject(A).build()))
                .hasMessageContaining("project '" + A + "'");
    }

    @Test
    void aPageTokenOfProjectAGivesNothingOfAInProjectB() {
        SearchRunsResponse first = runsAs(adminA).searchRuns(SearchRunsRequest.newBuilder().setProject(A)
                .setPageSize(1).build());
        assertThat(first.getNextPageToken()).isNotEmpty();
        try {
            SearchRunsResponse reused = runsAs(editorB).searchRuns(SearchRunsRequest.newBuilder().setProject(B)
                    .setPageSize(1).setPageToken(first.getNextPageToken()).build());
            assertThat(reused.getRunsList()).extracting(dev.labbook.api.v1.Run::getExperimentId)
                    .doesNotContain(experimentA);
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void aMetricStreamThatSwitchesToAnotherProjectsRunIsRefusedAndWritesNothingThere() throws Exception {
        CompletableFuture<Status> ended = new CompletableFuture<>();
        StreamObserver<LogMetricsRequest> stream = TestTokens.as(MetricServiceGrpc.newStub(server.channel()), editorB)
                .logMetrics(new StreamObserver<>() {
                    @Override
                    public void onNext(dev.labbook.api.v1.LogMetricsResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        stream.onNext(batch(runB, 1));
        stream.onNext(batch(runA, 2));
        stream.onCompleted();
        assertThat(ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(TestTokens.as(server.metrics(), adminA).listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(runA).build()).getMetricsList()).isEmpty();
    }

    private static LogMetricsRequest batch(String runId, long step) {
        return LogMetricsRequest.newBuilder().setBatch(MetricBatch.newBuilder().setRunId(runId).addKeys("loss")
                .addKeyIndex(0).addStep(step).addTimestampMs(1_700_000_000_000L).addValue(0.5)).build();
    }

    @Test
    void followingTheLogOfAnotherProjectsRunIsRefused() {
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> TestTokens.as(
                server.logs(), editorB).withDeadlineAfter(10, TimeUnit.SECONDS).readLogs(ReadLogsRequest.newBuilder()
                .setRunId(runA).setFollow(true).build()).hasNext());
    }

    @Test
    void openRunCannotCreateAnExperimentInAnotherProject() {
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING", () -> runsAs(editorB)
                .openRun(OpenRunRequest.newBuilder().setProject(A).setExperimentName("sneaky")
                        .setCreateExperimentIfMissing(true).build()));
        assertThat(runsAs(adminA).searchRuns(SearchRunsRequest.newBuilder().setProject(A).build()).getRunsList())
                .hasSize(2);
    }

    @Test
    void tokensAndTheAuditLogOfAnotherProjectStayHidden() throws Exception {
        AccessServiceGrpc.AccessServiceBlockingStub asB = TestTokens.as(AccessServiceGrpc.newBlockingStub(
                server.channel()), adminB);
        assertThat(asB.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
                .extracting(Token::getProject).containsOnly(B);
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING",
                () -> asB.listTokens(ListTokensRequest.newBuilder().setProject(A).build()));
        assertThat(server.server().auditWriter().flush(Duration.ofSeconds(10))).isTrue();
        List<AuditEvent> events = asB.listAuditEvents(ListAuditEventsRequest.getDefaultInstance()).getEventsList();
        assertThat(events).isNotEmpty().extracting(AuditEvent::getProject).containsOnly(B);
        assertThat(events).extracting(AuditEvent::getTarget).noneMatch(t -> t.contains(runA) || t.contains(experimentA));
    }
}
