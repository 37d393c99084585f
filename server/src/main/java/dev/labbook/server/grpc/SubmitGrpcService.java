package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.GetSubmissionRequest;
import dev.labbook.api.v1.GetSubmissionResponse;
import dev.labbook.api.v1.ListComputeTargetsRequest;
import dev.labbook.api.v1.ListComputeTargetsResponse;
import dev.labbook.api.v1.SubmitRunRequest;
import dev.labbook.api.v1.SubmitRunResponse;
import dev.labbook.api.v1.SubmitServiceGrpc;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.submit.SubmitService;
import io.grpc.stub.StreamObserver;

/** SubmitService RPCs: scripts submitted as runs to the server's compute targets. */
public final class SubmitGrpcService extends SubmitServiceGrpc.SubmitServiceImplBase {
    private final SubmitService submissions;

    public SubmitGrpcService(SubmitService submissions) {
        this.submissions = submissions;
    }

    @Override
    public void listComputeTargets(ListComputeTargetsRequest request,
            StreamObserver<ListComputeTargetsResponse> response) {
        ListComputeTargetsResponse.Builder reply = ListComputeTargetsResponse.newBuilder();
        submissions.listTargets().forEach(target -> reply.addTargets(SubmitMapper.toProto(target)));
        reply(response, reply.build());
    }

    @Override
    public void submitRun(SubmitRunRequest request, StreamObserver<SubmitRunResponse> response) {
        var runId = ProtoIds.required("run_id", request.getRunId());
        if (!request.hasSpec()) {
            throw new InvalidArgumentException("spec", "is required (compute_target, script, snapshot_path)");
        }
        SubmitService.Submitted submitted = submissions.submit(runId, SubmitMapper.fromProto(request.getSpec()));
        reply(response, SubmitRunResponse.newBuilder()
                .setRun(RunMapper.toProto(submitted.run()))
                .setSubmission(SubmitMapper.toProto(submitted.submission()))
                .build());
    }

    @Override
    public void getSubmission(GetSubmissionRequest request, StreamObserver<GetSubmissionResponse> response) {
        reply(response, GetSubmissionResponse.newBuilder()
                .setSubmission(SubmitMapper.toProto(submissions.get(ProtoIds.required("run_id", request.getRunId()))))
                .build());
    }
}
