package dev.labbook.server.grpc;

import dev.labbook.api.v1.ComputeTargetKind;
import dev.labbook.api.v1.SubmitEnvironment;
import dev.labbook.api.v1.SubmitResources;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.Submission;
import dev.labbook.server.domain.submit.SubmitSpec;
import java.util.Locale;

/** Maps submissions and compute targets between their protos and domain records. */
final class SubmitMapper {
    private SubmitMapper() {
    }

    static SubmitSpec fromProto(dev.labbook.api.v1.SubmitSpec spec) {
        SubmitEnvironment environment = spec.getEnvironment();
        SubmitResources resources = spec.getResources();
        return new SubmitSpec(spec.getComputeTarget(), spec.getScript(), spec.getArgumentsList(),
                spec.getSnapshotPath(), environment.getImage(), environment.getPipRequirementsList(),
                environment.getVariablesMap(), resources.getCpu(), resources.getMemory(), resources.getGpu());
    }

    static dev.labbook.api.v1.SubmitSpec toProto(SubmitSpec spec) {
        return dev.labbook.api.v1.SubmitSpec.newBuilder()
                .setComputeTarget(spec.computeTarget())
                .setScript(spec.script())
                .addAllArguments(spec.arguments())
                .setSnapshotPath(spec.snapshotPath())
                .setEnvironment(SubmitEnvironment.newBuilder()
                        .setImage(spec.image())
                        .addAllPipRequirements(spec.pipRequirements())
                        .putAllVariables(spec.variables()))
                .setResources(SubmitResources.newBuilder()
                        .setCpu(spec.cpu())
                        .setMemory(spec.memory())
                        .setGpu(spec.gpu()))
                .build();
    }

    static dev.labbook.api.v1.Submission toProto(Submission submission) {
        return dev.labbook.api.v1.Submission.newBuilder()
                .setRunId(ProtoIds.format(submission.runId()))
                .setSpec(toProto(submission.spec()))
                .setNamespace(submission.namespace())
                .setJobName(submission.jobName())
                .setPodName(submission.podName())
                .setState(submission.state().name().toLowerCase(Locale.ROOT))
                .setMessage(submission.message())
                .setCreateTimeMs(submission.createTime().toEpochMilli())
                .setUpdateTimeMs(submission.updateTime().toEpochMilli())
                .build();
    }

    static dev.labbook.api.v1.ComputeTarget toProto(ComputeTarget target) {
        return dev.labbook.api.v1.ComputeTarget.newBuilder()
                .setName(target.name())
                .setKind(ComputeTargetKind.COMPUTE_TARGET_KIND_KUBERNETES)
                .setNamespace(target.namespace())
                .setDefaultImage(target.defaultImage())
                .setMaxSnapshotBytes(target.maxSnapshotBytes())
                .setGpuResource(target.gpuResource())
                .addAllProjects(target.projects())
                .build();
    }
}
