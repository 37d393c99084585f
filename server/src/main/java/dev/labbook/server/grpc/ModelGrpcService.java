package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.CreateModelRequest;
import dev.labbook.api.v1.CreateModelResponse;
import dev.labbook.api.v1.DeleteModelRequest;
import dev.labbook.api.v1.DeleteModelResponse;
import dev.labbook.api.v1.GetModelRequest;
import dev.labbook.api.v1.GetModelResponse;
import dev.labbook.api.v1.ListModelsRequest;
import dev.labbook.api.v1.ListModelsResponse;
import dev.labbook.api.v1.ModelServiceGrpc;
import dev.labbook.api.v1.UpdateModelRequest;
import dev.labbook.api.v1.UpdateModelResponse;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.model.Model;
import dev.labbook.server.domain.model.ModelChanges;
import dev.labbook.server.domain.model.ModelIds;
import dev.labbook.server.domain.model.ModelService;
import dev.labbook.server.domain.model.NewModel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** ModelService RPCs: the models runs log (MLflow 3's logged models). */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
    private final ModelService models;

    public ModelGrpcService(ModelService models) {
        this.models = models;
    }

    @Override
    public void createModel(CreateModelRequest request, StreamObserver<CreateModelResponse> response) {
        Model model = models.create(new NewModel(ProtoIds.required("run_id", request.getRunId()), request.getName(),
                request.getModelType(), request.getTagsMap(), request.getParamsMap()));
        reply(response, CreateModelResponse.newBuilder().setModel(ModelMapper.toProto(model)).build());
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<GetModelResponse> response) {
        Model model = models.get(ModelIds.parse("model_id", request.getModelId()));
        reply(response, GetModelResponse.newBuilder().setModel(ModelMapper.toProto(model)).build());
    }

    @Override
    public void updateModel(UpdateModelRequest request, StreamObserver<UpdateModelResponse> response) {
        UUID id = ModelIds.parse("model_id", request.getModelId());
        ModelChanges changes = new ModelChanges(ModelMapper.fromProto("status", request.getStatus()),
                request.hasStatusMessage() ? request.getStatusMessage() : null, request.getSetTagsMap(),
                request.getRemoveTagKeysList(), request.getParamsMap());
        reply(response, UpdateModelResponse.newBuilder()
                .setModel(ModelMapper.toProto(models.update(id, changes))).build());
    }

    @Override
    public void deleteModel(DeleteModelRequest request, StreamObserver<DeleteModelResponse> response) {
        models.delete(ModelIds.parse("model_id", request.getModelId()));
        reply(response, DeleteModelResponse.getDefaultInstance());
    }

    @Override
    public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
        List<UUID> experimentIds = new ArrayList<>(request.getExperimentIdsCount());
        for (int i = 0; i < request.getExperimentIdsCount(); i++) {
            experimentIds.add(ProtoIds.required("experiment_ids[" + i + "]", request.getExperimentIds(i)));
        }
        UUID runId = ProtoIds.optional("run_id", request.getRunId());
        Page<Model> page = models.list(experimentIds, runId, request.getName(), request.getIncludeDeleted(),
                request.getPageSize(), request.getPageToken());
        ListModelsResponse.Builder reply = ListModelsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(model -> reply.addModels(ModelMapper.toProto(model)));
        reply(response, reply.build());
    }
}
