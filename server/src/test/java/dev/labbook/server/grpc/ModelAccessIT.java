package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateModelRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteModelRequest;
import dev.labbook.api.v1.GetModelRequest;
import dev.labbook.api.v1.ListModelsRequest;
import dev.labbook.api.v1.Model;
import dev.labbook.api.v1.ModelServiceGrpc;
import dev.labbook.api.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.labbook.api.v1.ModelStatus;
import dev.labbook.api.v1.UpdateModelRequest;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ModelService under access control: a model is in the project of its run's experiment. A viewer
 * reads but does not create, update or delete; an editor does; another project's token gets
 * nothing; an unknown model id is NOT_FOUND before any role check.
 */
@ExtendWith(AuthServerExtension.class)
class ModelAccessIT {

    @Test
    void modelsAreGuardedByTheProjectOfTheirRun(TestServer server) {
        String admin = AuthServerExtension.BOOTSTRAP_TOKEN;
        String experiment = TestTokens.as(server.experiments(), admin).createExperiment(CreateExperimentRequest
                .newBuilder().setProject("models-a").setName("e").build()).getExperiment().getId();
        String runId = TestTokens.as(server.runs(), admin).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(experiment).build()).getRun().getId();
        ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(server.channel());
        String viewer = TestTokens.create(server, "models-a", Role.VIEWER);
        String editor = TestTokens.create(server, "models-a", Role.EDITOR);
        String otherAdmin = TestTokens.create(server, "models-b", Role.ADMIN);
        CreateModelRequest create = CreateModelRequest.newBuilder().setRunId(runId).setName("m").build();

        assertStatus(Status.Code.UNAUTHENTICATED, () -> models.createModel(create));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, viewer).createModel(create));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, otherAdmin).createModel(create));
        Model model = TestTokens.as(models, editor).createModel(create).getModel();

        GetModelRequest get = GetModelRequest.newBuilder().setModelId(model.getId()).build();
        assertThat(TestTokens.as(models, viewer).getModel(get).getModel()).isEqualTo(model);
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, otherAdmin).getModel(get));
        assertThat(TestTokens.as(models, viewer).listModels(ListModelsRequest.newBuilder()
                .addExperimentIds(experiment).build()).getModelsList()).containsExactly(model);
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, otherAdmin).listModels(
                ListModelsRequest.newBuilder().setRunId(runId).build()));

        UpdateModelRequest ready = UpdateModelRequest.newBuilder().setModelId(model.getId())
                .setStatus(ModelStatus.MODEL_STATUS_READY).build();
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, viewer).updateModel(ready));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, otherAdmin).updateModel(ready));
        assertThat(TestTokens.as(models, editor).updateModel(ready).getModel().getStatus())
                .isEqualTo(ModelStatus.MODEL_STATUS_READY);
        DeleteModelRequest delete = DeleteModelRequest.newBuilder().setModelId(model.getId()).build();
        assertStatus(Status.Code.PERMISSION_DENIED, () -> TestTokens.as(models, viewer).deleteModel(delete));
        TestTokens.as(models, editor).deleteModel(delete);
        assertThat(TestTokens.as(models, viewer).getModel(get).getModel().getDeleted()).isTrue();

        String unknown = "m-" + UUID.randomUUID().toString().replace("-", "");
        assertReason(Status.Code.NOT_FOUND, "MODEL_NOT_FOUND", () -> TestTokens.as(models, viewer).getModel(
                GetModelRequest.newBuilder().setModelId(unknown).build()));
        assertInvalidField("model_id", () -> TestTokens.as(models, viewer).getModel(
                GetModelRequest.newBuilder().setModelId("m-xyz").build()));
    }
}
