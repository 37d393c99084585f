package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a client sees of the API as a whole: reflection and health. */
@ExtendWith(LabbookServerExtension.class)
class ApiSurfaceIT {

    @Test
    void reflectionListsTheTenLabbookServicesAndHealth(TestServer server) throws Exception {
        FirstResponse<ServerReflectionResponse> result = new FirstResponse<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(server.channel())
                .serverReflectionInfo(result);
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();

        List<String> services = result.await(10).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList();

        assertThat(services).contains(
                "labbook.v1.ProjectService",
                "labbook.v1.ExperimentService",
                "labbook.v1.RunService",
                "labbook.v1.MetricService",
                "labbook.v1.LogService",
                "labbook.v1.ArtifactService",
                "labbook.v1.ServerService",
                "labbook.v1.AccessService",
                "labbook.v1.SubmitService",
                "labbook.v1.ModelService",
                "grpc.health.v1.Health");
        assertThat(services.stream().filter(s -> s.startsWith("labbook.v1."))).hasSize(10);
    }

    @Test
    void healthIsServingOverallAndPerService(TestServer server) {
        var health = HealthGrpc.newBlockingStub(server.channel());
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        for (String service : List.of("labbook.v1.ProjectService", "labbook.v1.ExperimentService", "labbook.v1.RunService",
                "labbook.v1.MetricService", "labbook.v1.LogService", "labbook.v1.ArtifactService",
                "labbook.v1.ServerService", "labbook.v1.SubmitService", "labbook.v1.ModelService")) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .isEqualTo(ServingStatus.SERVING);
        }
    }
}
