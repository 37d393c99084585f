package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ListComputeTargetsRequest;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.api.v1.SubmitSpec;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SubmitService under access control, on a server without compute targets (the default): a viewer
 * may list targets but not submit; an editor gets past access control to the server's answer that
 * it has no targets.
 */
@ExtendWith(AuthServerExtension.class)
class SubmitAccessIT {

    @Test
    void aViewerCannotSubmitAndAnEditorLearnsTheServerHasNoTargets(TestServer server) {
        String admin = AuthServerExtension.BOOTSTRAP_TOKEN;
        String experiment = TestTokens.as(server.experiments(), admin).createExperiment(CreateExperimentRequest
                .newBuilder().setProject("subm").setName("e").build()).getExperiment().getId();
        String runId = TestTokens.as(server.runs(), admin).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(experiment).setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun().getId();
        SubmitRunRequest request = SubmitRunRequest.newBuilder().setRunId(runId).setSpec(SubmitSpec.newBuilder()
                .setComputeTarget("gpu").setScript("train.py").setSnapshotPath("snapshot/source.tar.gz")).build();
        SubmitServiceGrpc.SubmitServiceBlockingStub submit = SubmitServiceGrpc.newBlockingStub(server.channel());
        String viewer = TestTokens.create(server, "subm", Role.VIEWER);
        String editor = TestTokens.create(server, "subm", Role.EDITOR);

        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(submit, viewer).submitRun(request));
        assertStatus(Status.Code.UNAUTHENTICATED, () -> submit.listComputeTargets(
                ListComputeTargetsRequest.getDefaultInstance()));
        assertThat(TestTokens.as(submit, viewer).listComputeTargets(ListComputeTargetsRequest.getDefaultInstance())
                .getTargetsList()).isEmpty();

        var none = assertReason(Status.Code.FAILED_PRECONDITION, "COMPUTE_TARGET_UNKNOWN",
                () -> TestTokens.as(submit, editor).submitRun(request));
        assertThat(none.getStatus().getDescription())
                .isEqualTo("this server has no compute targets; see --compute-targets-file");
    }
}
