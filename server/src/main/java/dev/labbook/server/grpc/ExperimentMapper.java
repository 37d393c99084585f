package dev.labbook.server.grpc;

import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.server.domain.Experiment;
import dev.labbook.server.domain.ExperimentWithActivity;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.RunActivity;

/** Experiment domain objects to protobuf messages, and shared enum mappings. */
final class ExperimentMapper {
    private ExperimentMapper() {
    }

    static dev.labbook.api.v1.Experiment toProto(ExperimentWithActivity shown) {
        Experiment e = shown.experiment();
        RunActivity runs = shown.runs();
        return dev.labbook.api.v1.Experiment.newBuilder()
                .setId(e.id().toString())
                .setProject(e.project())
                .setName(e.name())
                .setDescription(e.description())
                .setFolder(e.folder())
                .putAllTags(e.tags())
                .setCreateTimeMs(e.createdAt().toEpochMilli())
                .setUpdateTimeMs(e.updatedAt().toEpochMilli())
                .setDeleted(e.deleted())
                .setDeleteTimeMs(e.deleted() ? e.deletedAt().toEpochMilli() : 0)
                .setEtag(e.etag())
                .setCreator(e.creator())
                .setRunCount(runs.runCount())
                .setLastRunUpdateTimeMs(runs.lastRunUpdatedAt() == null ? 0 : runs.lastRunUpdatedAt().toEpochMilli())
                .build();
    }

    static Lifecycle lifecycle(String field, LifecycleFilter filter) {
        return switch (filter) {
            case LIFECYCLE_FILTER_UNSPECIFIED, LIFECYCLE_FILTER_ACTIVE -> Lifecycle.ACTIVE;
            case LIFECYCLE_FILTER_DELETED -> Lifecycle.DELETED;
            case LIFECYCLE_FILTER_ALL -> Lifecycle.ALL;
            case UNRECOGNIZED -> throw new InvalidArgumentException(field, "is not a known lifecycle filter");
        };
    }
}
