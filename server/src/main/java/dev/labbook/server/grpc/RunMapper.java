package dev.labbook.server.grpc;

import dev.labbook.api.v1.RunStatusChange;
import dev.labbook.api.v1.Value;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Param;
import dev.labbook.server.domain.ParamValue;
import dev.labbook.server.domain.ResumePolicy;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.SourceInfo;
import java.util.ArrayList;
import java.util.List;

/** Run domain objects to and from protobuf messages. */
final class RunMapper {
    private RunMapper() {
    }

    static dev.labbook.api.v1.Run toProto(Run run) {
        SourceInfo s = run.source();
        dev.labbook.api.v1.Run.Builder builder = dev.labbook.api.v1.Run.newBuilder()
                .setId(run.id().toString())
                .setExperimentId(run.experimentId().toString())
                .setName(run.name())
                .setStatus(toProto(run.status()))
                .setCreateTimeMs(run.createTime().toEpochMilli())
                .setStartTimeMs(run.startTime() == null ? 0 : run.startTime().toEpochMilli())
                .setEndTimeMs(run.endTime() == null ? 0 : run.endTime().toEpochMilli())
                .setDescription(run.description())
                .putAllTags(run.tags())
                .setParentRunId(ProtoIds.format(run.parentRunId()))
                .setSource(dev.labbook.api.v1.SourceInfo.newBuilder()
                        .setScript(s.script())
                        .addAllArgs(s.args())
                        .setGitCommit(s.gitCommit())
                        .setGitDirty(s.gitDirty())
                        .setHost(s.host())
                        .setWorkingDir(s.workingDir()))
                .setUpdateTimeMs(run.updatedAt().toEpochMilli())
                .setDeleted(run.deleted())
                .setDeleteTimeMs(run.deleted() ? run.deletedAt().toEpochMilli() : 0)
                .setResumeCount(run.resumeCount())
                .setEtag(run.etag())
                .setCreator(run.creator());
        for (Param param : run.params()) {
            builder.addParams(dev.labbook.api.v1.Param.newBuilder()
                    .setKey(param.key())
                    .setValue(toProto(param.value())));
        }
        return builder.build();
    }

    static RunStatusChange toProto(dev.labbook.server.domain.RunStatusChange change) {
        return RunStatusChange.newBuilder()
                .setFromStatus(change.from() == null
                        ? dev.labbook.api.v1.RunStatus.RUN_STATUS_UNSPECIFIED
                        : toProto(change.from()))
                .setToStatus(toProto(change.to()))
                .setTimeMs(change.at().toEpochMilli())
                .setReason(change.reason().name().toLowerCase(java.util.Locale.ROOT))
                .setMessage(change.message())
                .build();
    }

    static dev.labbook.api.v1.RunStatus toProto(RunStatus status) {
        return switch (status) {
            case QUEUED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_QUEUED;
            case RUNNING -> dev.labbook.api.v1.RunStatus.RUN_STATUS_RUNNING;
            case COMPLETED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_COMPLETED;
            case FAILED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_FAILED;
            case CANCELED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_CANCELED;
            case CRASHED -> dev.labbook.api.v1.RunStatus.RUN_STATUS_CRASHED;
        };
    }

    /** The status a request names; null when UNSPECIFIED or unknown (the domain says what it allows). */
    static RunStatus fromProto(dev.labbook.api.v1.RunStatus status) {
        return switch (status) {
            case RUN_STATUS_QUEUED -> RunStatus.QUEUED;
            case RUN_STATUS_RUNNING -> RunStatus.RUNNING;
            case RUN_STATUS_COMPLETED -> RunStatus.COMPLETED;
            case RUN_STATUS_FAILED -> RunStatus.FAILED;
            case RUN_STATUS_CANCELED -> RunStatus.CANCELED;
            case RUN_STATUS_CRASHED -> RunStatus.CRASHED;
            case RUN_STATUS_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    }

    /** CreateRun's initial status: UNSPECIFIED means RUNNING. */
    static RunStatus initialStatus(dev.labbook.api.v1.RunStatus status) {
        return status == dev.labbook.api.v1.RunStatus.RUN_STATUS_UNSPECIFIED ? RunStatus.RUNNING : fromProto(status);
    }

    static ResumePolicy fromProto(dev.labbook.api.v1.ResumePolicy policy) {
        return switch (policy) {
            case RESUME_POLICY_UNSPECIFIED, RESUME_POLICY_ALLOW -> ResumePolicy.ALLOW;
            case RESUME_POLICY_NEVER -> ResumePolicy.NEVER;
            case RESUME_POLICY_MUST -> ResumePolicy.MUST;
            case UNRECOGNIZED -> throw new InvalidArgumentException("resume", "is not a known resume policy");
        };
    }

    static Value toProto(ParamValue value) {
        Value.Builder builder = Value.newBuilder();
        if (value instanceof ParamValue.StringValue s) {
            builder.setStringValue(s.value());
        } else if (value instanceof ParamValue.IntValue i) {
            builder.setIntValue(i.value());
        } else if (value instanceof ParamValue.DoubleValue d) {
            builder.setDoubleValue(d.value());
        } else if (value instanceof ParamValue.BoolValue b) {
            builder.setBoolValue(b.value());
        }
        return builder.build();
    }

    /** A param without a value maps to a null value, which the domain rejects naming the field. */
    static List<Param> fromProto(List<dev.labbook.api.v1.Param> params) {
        List<Param> result = new ArrayList<>(params.size());
        for (dev.labbook.api.v1.Param p : params) {
            result.add(new Param(p.getKey(), fromProto(p.getValue())));
        }
        return result;
    }

    private static ParamValue fromProto(Value value) {
        return switch (value.getKindCase()) {
            case STRING_VALUE -> new ParamValue.StringValue(value.getStringValue());
            case INT_VALUE -> new ParamValue.IntValue(value.getIntValue());
            case DOUBLE_VALUE -> new ParamValue.DoubleValue(value.getDoubleValue());
            case BOOL_VALUE -> new ParamValue.BoolValue(value.getBoolValue());
            case KIND_NOT_SET -> null;
        };
    }

    static SourceInfo fromProto(dev.labbook.api.v1.SourceInfo s) {
        return new SourceInfo(s.getScript(), s.getArgsList(), s.getGitCommit(), s.getGitDirty(), s.getHost(),
                s.getWorkingDir());
    }
}
