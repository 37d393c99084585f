package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Errors carry machine-readable details (AIP-193), and reflection serves their types. */
@ExtendWith(LabbookServerExtension.class)
class ErrorDetailsIT {

    @Test
    void aMissingRunCarriesItsReasonAndTheResource(TestServer server) throws Exception {
        String id = UUID.randomUUID().toString();
        StatusRuntimeException e = assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND",
                () -> server.runs().getRun(GetRunRequest.newBuilder().setRunId(id).build()));

        ErrorInfo info = errorInfo(e).orElseThrow();
        assertThat(info.getDomain()).isEqualTo("labbook.dev");
        ResourceInfo resource = StatusProto.fromThrowable(e).getDetailsList().stream()
                .filter(any -> any.is(ResourceInfo.class)).findFirst().orElseThrow().unpack(ResourceInfo.class);
        assertThat(resource.getResourceType()).isEqualTo("labbook.dev/run");
        assertThat(resource.getResourceName()).isEqualTo(id);
    }

    @Test
    void aFieldErrorNamesTheFieldInMetadataAndBadRequest(TestServer server) {
        StatusRuntimeException e = assertReason(Code.INVALID_ARGUMENT, "INVALID_FIELD",
                () -> server.experiments().getExperiment(GetExperimentRequest.newBuilder()
                        .setExperimentId("not-a-uuid").build()));
        assertThat(errorInfo(e).orElseThrow().getMetadataMap()).containsEntry("field", "experiment_id");
    }

    @Test
    void anAlteredPageTokenHasItsOwnReason(TestServer server) {
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN",
                () -> server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                        .setPageToken("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").build()));
    }

    @Test
    void reflectionServesTheErrorDetailTypes(TestServer server) throws Exception {
        FirstResponse<ServerReflectionResponse> result = new FirstResponse<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(server.channel())
                .serverReflectionInfo(result);
        requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol("google.rpc.ErrorInfo").build());
        requests.onCompleted();

        var files = result.await(10).getFileDescriptorResponse().getFileDescriptorProtoList().stream()
                .map(bytes -> {
                    try {
                        return FileDescriptorProto.parseFrom(bytes).getName();
                    } catch (InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                })
                .toList();
        assertThat(files).contains("google/rpc/error_details.proto");
    }
}
