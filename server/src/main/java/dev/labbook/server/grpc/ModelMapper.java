package dev.labbook.server.grpc;

import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.model.Model;
import dev.labbook.server.domain.model.ModelIds;
import dev.labbook.server.domain.model.ModelStatus;

/** Maps models between their protos and domain records. */
final class ModelMapper {
    private ModelMapper() {
    }

    static dev.labbook.api.v1.Model toProto(Model model) {
        return dev.labbook.api.v1.Model.newBuilder()
                .setId(ModelIds.format(model.id()))
                .setExperimentId(ProtoIds.format(model.experimentId()))
                .setRunId(ProtoIds.format(model.runId()))
                .setName(model.name())
                .setStatus(toProto(model.status()))
                .setStatusMessage(model.statusMessage())
                .setModelType(model.modelType())
                .putAllTags(model.tags())
                .putAllParams(model.params())
                .setCreateTimeMs(model.createTime().toEpochMilli())
                .setUpdateTimeMs(model.updateTime().toEpochMilli())
                .setArtifactPath(model.artifactPath())
                .setDeleted(model.deleted())
                .build();
    }

    static dev.labbook.api.v1.ModelStatus toProto(ModelStatus status) {
        return switch (status) {
            case PENDING -> dev.labbook.api.v1.ModelStatus.MODEL_STATUS_PENDING;
            case READY -> dev.labbook.api.v1.ModelStatus.MODEL_STATUS_READY;
            case FAILED -> dev.labbook.api.v1.ModelStatus.MODEL_STATUS_FAILED;
        };
    }

    /** Null for UNSPECIFIED (leave the status as it is). */
    static ModelStatus fromProto(String field, dev.labbook.api.v1.ModelStatus status) {
        return switch (status) {
            case MODEL_STATUS_UNSPECIFIED -> null;
            case MODEL_STATUS_PENDING -> ModelStatus.PENDING;
            case MODEL_STATUS_READY -> ModelStatus.READY;
            case MODEL_STATUS_FAILED -> ModelStatus.FAILED;
            case UNRECOGNIZED -> throw new InvalidArgumentException(field, "is not a known ModelStatus");
        };
    }
}
