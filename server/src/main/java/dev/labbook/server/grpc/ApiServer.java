package dev.labbook.server.grpc;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.ProjectServiceGrpc;
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
import java.time.Duration;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: the six labbook.v1 services,
 * the standard health service and server reflection (v1 and v1alpha, for grpcurl and friends).
 */
public final class ApiServer implements AutoCloseable {
    /** Services reported SERVING by the health service: those with implemented RPCs. */
    private static final List<String> SERVING_SERVICES = List.of(
            ProjectServiceGrpc.SERVICE_NAME,
            ExperimentServiceGrpc.SERVICE_NAME,
            RunServiceGrpc.SERVICE_NAME,
            MetricServiceGrpc.SERVICE_NAME,
            LogServiceGrpc.SERVICE_NAME,
            ArtifactServiceGrpc.SERVICE_NAME);

    private final Server server;
    private final Optional<Server> healthServer;
    private final HealthStatusManager health;
    private final StreamDrain drain;

    private ApiServer(Server server, Optional<Server> healthServer, HealthStatusManager health, StreamDrain drain) {
        this.server = server;
        this.healthServer = healthServer;
        this.health = health;
        this.drain = drain;
    }

    public static ApiServer start(ApiEndpoint endpoint, int maxMessageBytes, RpcObserver rpcs,
            ProjectGrpcService projects, ExperimentGrpcService experiments, RunGrpcService runs, MetricGrpcService metrics, LogGrpcService logs,
            ArtifactGrpcService artifacts) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        StatusMappingInterceptor statusMapping = new StatusMappingInterceptor();
        StreamDrain drain = new StreamDrain();
        List<BindableService> api = List.of(
                projects,
                experiments,
                runs,
                metrics,
                logs,
                artifacts);
        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        NettyServerBuilder builder = endpoint.tls()
                .map(tls -> NettyServerBuilder.forAddress(address,
                        ServerTls.credentials(tls.certFile(), tls.keyFile())))
                .orElseGet(() -> NettyServerBuilder.forAddress(address));
        builder.maxInboundMessageSize(maxMessageBytes)
                // A wider window than the 1 MiB default keeps large uploads streaming at disk speed.
                .initialFlowControlWindow(8 * 1024 * 1024)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection())
                // Run in reverse order: metrics outermost, so they see the statuses the drain sets;
                // error details between them, so the drain's statuses get an ErrorInfo too.
                .intercept(drain)
                .intercept(new ErrorDetailsInterceptor())
                .intercept(new CallMetricsInterceptor(rpcs));
        for (BindableService service : api) {
            builder.addService(ServerInterceptors.intercept(service, statusMapping));
        }
        Optional<Server> healthServer = Optional.empty();
        if (endpoint.tls().isPresent() && endpoint.healthPort() > 0) {
            // The kubelet's gRPC probe speaks plaintext only: health alone, without TLS, on its own port.
            healthServer = Optional.of(NettyServerBuilder
                    .forAddress(new InetSocketAddress(endpoint.host(), endpoint.healthPort()))
                    .addService(health.getHealthService())
                    .build().start());
        }
        Server server;
        try {
            server = builder.build().start();
        } catch (IOException | RuntimeException e) {
            healthServer.ifPresent(Server::shutdownNow);
            throw e;
        }
        for (String name : SERVING_SERVICES) {
            health.setStatus(name, ServingStatus.SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        return new ApiServer(server, healthServer, health, drain);
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        // v1alpha: still the only reflection protocol of many grpcurl and IDE versions.
        return ProtoReflectionService.newInstance();
    }

    public int port() {
        return server.getPort();
    }

    /** The plaintext health-only port, when TLS is on and it is enabled. */
    public Optional<Integer> healthPort() {
        return healthServer.map(Server::getPort);
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Shutdown, first stage: every service reports NOT_SERVING, for good; calls still work. */
    public void reportNotServing() {
        health.enterTerminalState();
    }

    /**
     * Shutdown, second stage: new calls are refused (clients get GOAWAY and reconnect elsewhere)
     * and open client streams end with UNAVAILABLE after the message each is handling.
     *
     * @return how many streams were ended
     */
    public int stopAccepting() {
        server.shutdown();
        return drain.endAll();
    }

    /**
     * Shutdown, last stage: waits up to {@code grace} for calls in flight, then cancels the rest
     * and stops the health port.
     *
     * @return whether every call finished within the grace period
     */
    public boolean awaitCalls(Duration grace) throws InterruptedException {
        boolean finished = server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Server h : healthServer.stream().toList()) {
            h.shutdownNow();
            h.awaitTermination(5, TimeUnit.SECONDS);
        }
        return finished;
    }

    /** All stages without pause: NOT_SERVING, stop accepting, 10 s for calls in flight. */
    @Override
    public void close() throws InterruptedException {
        reportNotServing();
        stopAccepting();
        awaitCalls(Duration.ofSeconds(10));
    }
}
