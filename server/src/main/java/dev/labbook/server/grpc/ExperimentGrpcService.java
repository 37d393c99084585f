package dev.labbook.server.grpc;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateExperimentResponse;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteExperimentResponse;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetExperimentResponse;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.PurgeExperimentRequest;
import dev.labbook.api.v1.PurgeExperimentResponse;
import dev.labbook.api.v1.RestoreExperimentRequest;
import dev.labbook.api.v1.RestoreExperimentResponse;
import dev.labbook.api.v1.SetExperimentTagsRequest;
import dev.labbook.api.v1.SetExperimentTagsResponse;
import dev.labbook.api.v1.UpdateExperimentRequest;
import dev.labbook.api.v1.UpdateExperimentResponse;
import dev.labbook.server.domain.ExperimentChanges;
import dev.labbook.server.domain.ExperimentService;
import dev.labbook.server.domain.ExperimentWithActivity;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.NewExperiment;
import dev.labbook.server.domain.Page;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.Set;

/** ExperimentService RPCs: maps messages to {@link ExperimentService} calls. */
public final class ExperimentGrpcService extends ExperimentServiceGrpc.ExperimentServiceImplBase {
    private static final Set<String> UPDATABLE = Set.of("name", "description", "folder", "tags");
    private final ExperimentService experiments;

    public ExperimentGrpcService(ExperimentService experiments) {
        this.experiments = experiments;
    }

    @Override
    public void createExperiment(CreateExperimentRequest request, StreamObserver<CreateExperimentResponse> response) {
        ExperimentService.Created created = experiments.create(new NewExperiment(request.getProject(),
                request.getName(), request.getDescription(), request.getFolder(), request.getTagsMap()),
                request.getReturnExisting());
        reply(response, CreateExperimentResponse.newBuilder()
                .setExperiment(ExperimentMapper.toProto(created.experiment()))
                .setCreated(created.created())
                .build());
    }

    @Override
    public void getExperiment(GetExperimentRequest request, StreamObserver<GetExperimentResponse> response) {
        ExperimentWithActivity experiment;
        if (!request.getExperimentId().isEmpty()) {
            if (!request.getName().isEmpty()) {
                throw new InvalidArgumentException("experiment_id", "give either experiment_id or name, not both");
            }
            experiment = experiments.get(ProtoIds.required("experiment_id", request.getExperimentId()));
        } else if (!request.getName().isEmpty()) {
            experiment = experiments.getByName(request.getProject(), request.getName());
        } else {
            throw new InvalidArgumentException("experiment_id", "is required (or give project and name)");
        }
        reply(response, GetExperimentResponse.newBuilder().setExperiment(ExperimentMapper.toProto(experiment)).build());
    }

    @Override
    public void listExperiments(ListExperimentsRequest request, StreamObserver<ListExperimentsResponse> response) {
        Page<ExperimentWithActivity> page = experiments.list(request.getProject(),
                ExperimentMapper.lifecycle("lifecycle", request.getLifecycle()), request.getFolderPrefix(),
                request.getPageSize(), request.getPageToken());
        ListExperimentsResponse.Builder builder = ListExperimentsResponse.newBuilder()
                .setNextPageToken(page.nextPageToken());
        page.items().forEach(e -> builder.addExperiments(ExperimentMapper.toProto(e)));
        reply(response, builder.build());
    }

    @Override
    public void updateExperiment(UpdateExperimentRequest request, StreamObserver<UpdateExperimentResponse> response) {
        Set<String> fields = UpdateFields.parse(request.getUpdateMask(), UPDATABLE);
        ExperimentChanges changes = new ExperimentChanges(
                fields.contains("name") ? Optional.of(request.getName()) : Optional.empty(),
                fields.contains("description") ? Optional.of(request.getDescription()) : Optional.empty(),
                fields.contains("folder") ? Optional.of(request.getFolder()) : Optional.empty(),
                fields.contains("tags") ? Optional.of(request.getTagsMap()) : Optional.empty());
        ExperimentWithActivity updated = experiments.update(
                ProtoIds.required("experiment_id", request.getExperimentId()), changes, request.getEtag());
        reply(response, UpdateExperimentResponse.newBuilder().setExperiment(ExperimentMapper.toProto(updated)).build());
    }

    @Override
    public void setExperimentTags(SetExperimentTagsRequest request,
            StreamObserver<SetExperimentTagsResponse> response) {
        ExperimentWithActivity updated = experiments.setTags(
                ProtoIds.required("experiment_id", request.getExperimentId()), request.getTagsMap(),
                request.getRemoveKeysList());
        reply(response,
                SetExperimentTagsResponse.newBuilder().setExperiment(ExperimentMapper.toProto(updated)).build());
    }

    @Override
    public void deleteExperiment(DeleteExperimentRequest request, StreamObserver<DeleteExperimentResponse> response) {
        ExperimentWithActivity deleted = experiments.delete(
                ProtoIds.required("experiment_id", request.getExperimentId()));
        reply(response, DeleteExperimentResponse.newBuilder().setExperiment(ExperimentMapper.toProto(deleted)).build());
    }

    @Override
    public void restoreExperiment(RestoreExperimentRequest request,
            StreamObserver<RestoreExperimentResponse> response) {
        ExperimentWithActivity restored = experiments.restore(
                ProtoIds.required("experiment_id", request.getExperimentId()));
        reply(response,
                RestoreExperimentResponse.newBuilder().setExperiment(ExperimentMapper.toProto(restored)).build());
    }

    @Override
    public void purgeExperiment(PurgeExperimentRequest request, StreamObserver<PurgeExperimentResponse> response) {
        long runs = experiments.purge(ProtoIds.required("experiment_id", request.getExperimentId()));
        reply(response, PurgeExperimentResponse.newBuilder().setPurgedRuns(runs).build());
    }

    static <T> void reply(StreamObserver<T> observer, T message) {
        observer.onNext(message);
        observer.onCompleted();
    }
}
