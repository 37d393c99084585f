package dev.labbook.server.grpc;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: the five labbook.v1 services,
 * the standard health service and server reflection (v1 and v1alpha, for grpcurl and friends).
 */
public final class ApiServer implements AutoCloseable {
    /** Services reported SERVING by the health service: those with implemented RPCs. */
    private static final List<String> SERVING_SERVICES = List.of(
            ExperimentServiceGrpc.SERVICE_NAME,
            RunServiceGrpc.SERVICE_NAME,
            MetricServiceGrpc.SERVICE_NAME,
            LogServiceGrpc.SERVICE_NAME,
            ArtifactServiceGrpc.SERVICE_NAME);

    private final Server server;
    private final HealthStatusManager health;

    private ApiServer(Server server, HealthStatusManager health) {
        this.server = server;
        this.health = health;
    }

    public static ApiServer start(String host, int port, int maxMessageBytes, ExperimentGrpcService experiments,
            RunGrpcService runs, MetricGrpcService metrics, LogGrpcService logs, ArtifactGrpcService artifacts)
            throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        StatusMappingInterceptor statusMapping = new StatusMappingInterceptor();
        List<BindableService> api = List.of(
                experiments,
                runs,
                metrics,
                logs,
                artifacts);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(maxMessageBytes)
                // A wider window than the 1 MiB default keeps large uploads streaming at disk speed.
                .initialFlowControlWindow(8 * 1024 * 1024)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        for (BindableService service : api) {
            builder.addService(ServerInterceptors.intercept(service, statusMapping));
        }
        Server server = builder.build().start();
        for (String name : SERVING_SERVICES) {
            health.setStatus(name, ServingStatus.SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        return new ApiServer(server, health);
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        // v1alpha: still the only reflection protocol of many grpcurl and IDE versions.
        return ProtoReflectionService.newInstance();
    }

    public int port() {
        return server.getPort();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Reports NOT_SERVING, stops accepting calls and waits for in-flight calls to finish. */
    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
