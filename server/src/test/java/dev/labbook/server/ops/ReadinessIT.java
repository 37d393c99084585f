package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.grpc.ApiServer;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.PrometheusText;
import dev.labbook.server.testing.S3ProxyServer;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import dev.labbook.server.testing.TcpProxy;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Honest health under a running server: readiness (the whole server, "", and each labbook.v1
 * service) turns NOT_SERVING while PostgreSQL is unreachable (the shared embedded database stays
 * up for the other tests: a TCP proxy in front of it is cut) or S3Proxy is stopped, and SERVING
 * again when it returns (S3Proxy started again on its port); liveness stays SERVING throughout.
 */
class ReadinessIT {
    private static final Duration WITHIN = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    @Test
    void readinessFollowsTheDatabaseAndTheArtifactStoreAndLivenessDoesNotFlap() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_readiness_it");
        URI direct = URI.create(db.jdbcUrl().substring("jdbc:".length()));
        S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"));
        int s3Port = s3.port();
        try (TcpProxy database = TcpProxy.to(direct.getPort())) {
            String viaProxy = db.jdbcUrl().replace(":" + direct.getPort() + "/", ":" + database.port() + "/");
            ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(viaProxy),
                    db.user(), db.password(), 4, 0, 16 * 1024 * 1024, 0,
                    new ArtifactConfig(tmp.resolve("unused"), Optional.of(new ArtifactConfig.S3(
                            "http://127.0.0.1:" + s3Port, "us-east-1", "readiness", s3.accessKey(),
                            s3.secretKey())), 1L << 30, 0))
                    .withOperations(OperationsConfig.minimal().withMetricsPort(ServerProcess.freePort())
                            .withReadiness(Duration.ofMillis(200), Duration.ofMillis(1000)));
            try (LabbookServer server = LabbookServer.start(config)) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                        .build();
                try {
                    List<ServingStatus> liveness = new ArrayList<>();
                    awaitReadiness(channel, ServingStatus.SERVING, liveness);

                    long cutAt = System.nanoTime();
                    database.cut();
                    awaitReadiness(channel, ServingStatus.NOT_SERVING, liveness);
                    long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
                    assertThat(ready(server)).isEqualTo(0.0);
                    assertThat(status(channel, "labbook.v1.RunService")).isEqualTo(ServingStatus.NOT_SERVING);
                    database.restore();
                    awaitReadiness(channel, ServingStatus.SERVING, liveness);
                    assertThat(status(channel, "labbook.v1.RunService")).isEqualTo(ServingStatus.SERVING);
                    assertThat(ready(server)).isEqualTo(1.0);

                    s3.close();
                    awaitReadiness(channel, ServingStatus.NOT_SERVING, liveness);
                    s3 = S3ProxyServer.start(tmp.resolve("s3"), s3Port);
                    awaitReadiness(channel, ServingStatus.SERVING, liveness);

                    assertThat(liveness).isNotEmpty().containsOnly(ServingStatus.SERVING);
                    assertThat(noticedMs).as("ms until readiness noticed the database gone").isLessThan(5_000);
                    // The server serves again as before.
                    assertThat(ExperimentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS)
                            .listExperiments(ListExperimentsRequest.getDefaultInstance()).getExperimentsList())
                            .isEmpty();
                } finally {
                    channel.shutdownNow();
                }
            }
        } finally {
            s3.close();
        }
    }

    /** Waits until "" reports {@code wanted}, sampling liveness on the way. */
    private static void awaitReadiness(ManagedChannel channel, ServingStatus wanted, List<ServingStatus> liveness)
            throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        ServingStatus last = null;
        while (System.nanoTime() < deadline) {
            liveness.add(status(channel, ApiServer.LIVENESS));
            last = status(channel, "");
            if (last == wanted) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("readiness still " + last + " after " + WITHIN + ", wanted " + wanted);
    }

    /** labbook_ready as the metrics endpoint tells it. */
    private static double ready(LabbookServer server) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort().orElseThrow()
                        + "/metrics")).header("Accept", "text/plain").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return PrometheusText.parse(response.body()).value("labbook_ready").orElseThrow();
    }

    private static ServingStatus status(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }
}
