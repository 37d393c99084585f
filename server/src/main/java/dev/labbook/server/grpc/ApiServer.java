package dev.labbook.server.grpc;

import dev.labbook.server.config.LoadLimits;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: the labbook.v1 services ({@link ApiServices}), the standard health service
 * and server reflection (v1 and v1alpha, for grpcurl and friends).
 */
public final class ApiServer implements AutoCloseable {
    /**
     * The health service name of liveness: SERVING while the process serves, whatever its
     * dependencies do (until shutdown). The whole server ({@code ""}) and each labbook.v1 service
     * are readiness: NOT_SERVING also while PostgreSQL or the artifact store is unreachable.
     */
    public static final String LIVENESS = "liveness";

    private final Server server;
    private final Optional<Server> healthServer;
    private final HealthStatusManager health;
    private final StreamDrain drain;
    private final java.util.List<String> readinessNames;
    private final ApiExecutor executor;
    private final StreamIdleTimeout idleStreams;

    private ApiServer(Server server, Optional<Server> healthServer, HealthStatusManager health, StreamDrain drain,
            java.util.List<String> readinessNames, ApiExecutor executor, StreamIdleTimeout idleStreams) {
        this.server = server;
        this.executor = executor;
        this.idleStreams = idleStreams;
        this.healthServer = healthServer;
        this.health = health;
        this.drain = drain;
        this.readinessNames = readinessNames;
    }

    /** With the default limits ({@link LoadLimits#defaults()}). */
    public static ApiServer start(ApiEndpoint endpoint, int maxMessageBytes, ApiServices api) throws IOException {
        return start(endpoint, maxMessageBytes, api, LoadLimits.defaults(), ApiExecutor.fixed(LoadLimits.defaults()
                .apiThreads()));
    }

    /**
     * @param limits calls per connection, keepalive policy, connection idle time and age, idle
     *     time of client streams
     * @param executor runs every call's callbacks: a fixed pool, so threads do not grow with
     *     streams (each call's callbacks run one at a time on it; a call's next message is read
     *     only after its service asked for it, so unread messages stay with HTTP/2 flow control);
     *     shut down with this server
     */
    public static ApiServer start(ApiEndpoint endpoint, int maxMessageBytes, ApiServices api, LoadLimits limits,
            ApiExecutor executor) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        NettyServerBuilder builder = endpoint.tls()
                .map(tls -> NettyServerBuilder.forAddress(address,
                        ServerTls.credentials(tls.certFile(), tls.keyFile())))
                .orElseGet(() -> NettyServerBuilder.forAddress(address));
        // grpc-java looks each call's method up on the server's executor, then runs the call on
        // the executor the supplier picks: lookups and health checks (answered from memory) run on
        // a small pool of their own, so probes answer while every API thread waits (for a
        // database connection, a slow S3) and liveness does not flap under load.
        builder.executor(executor.dispatchExecutor())
                .callExecutor(new io.grpc.ServerCallExecutorSupplier() {
                    @Override
                    public <ReqT, RespT> java.util.concurrent.Executor getExecutor(
                            io.grpc.ServerCall<ReqT, RespT> call, io.grpc.Metadata headers) {
                        return HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())
                                ? null : executor.executor();
                    }
                })
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                .keepAliveTime(limits.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(limits.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(limits.permitKeepAliveWithoutCalls());
        if (!limits.maxConnectionIdle().isZero()) {
            builder.maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!limits.maxConnectionAge().isZero()) {
            builder.maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS);
        }
        builder.maxInboundMessageSize(maxMessageBytes)
                // A wider window than the 1 MiB default keeps large uploads streaming at disk speed.
                .initialFlowControlWindow(8 * 1024 * 1024)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        api.callInterceptors().forEach(builder::intercept);
        api.definitions().forEach(builder::addService);
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
            executor.close();
            throw e;
        }
        // Every service with RPCs reports SERVING, by its full name and as the whole server (""),
        // and so does liveness.
        java.util.List<String> readiness = new java.util.ArrayList<>(api.serviceNames());
        readiness.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
        health.setStatus(LIVENESS, ServingStatus.SERVING);
        ApiServer started = new ApiServer(server, healthServer, health, api.drain(), java.util.List.copyOf(readiness),
                executor, StreamIdleTimeout.start(api.drain(), limits.streamIdleTimeout()));
        started.reportReady(true);
        return started;
    }

    /**
     * Readiness: SERVING or NOT_SERVING for the whole server and each service; liveness stays as
     * it is. Ignored once shutdown began ({@link #reportNotServing()}).
     */
    public void reportReady(boolean ready) {
        ServingStatus status = ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        for (String name : readinessNames) {
            health.setStatus(name, status);
        }
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
        idleStreams.close();
        executor.close();
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
